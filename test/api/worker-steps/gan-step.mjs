// A GAN's training step, Keras-classic style, for trainer.loadStep (test/api/worker-custom-step.test.ts):
// the trainer's model is the generator, ctx.models.d the discriminator. setup compiles D,
// freezes it inside z -> G -> D and compiles that; each step trains D on [real; fake],
// then G through the frozen D, and returns both losses.

export function setup({ fe, model: g, models, options }) {
  fe.setRandomSeed(options.seed);
  const d = models.d;
  d.compile({ optimizer: fe.train.adam(0.01, 0.5), loss: 'binaryCrossentropy' });
  d.trainable = false; // frozen after its own compile: the combined model trains only G
  const z = fe.input({ shape: [options.latent] });
  const gan = fe.model({ inputs: z, outputs: d.apply(g.apply(z)) });
  gan.compile({ optimizer: fe.train.adam(0.01, 0.5), loss: 'binaryCrossentropy' });
  return { gan };
}

export async function step({ fe, model: g, models, options, state }, { real }) {
  const n = real.shape[0];
  const [x, labels, z, target] = fe.tidy(() => [
    fe.concat([real, g.predict(fe.randomNormal([n, options.latent]))]),
    fe.concat([fe.ones([n, 1]), fe.zeros([n, 1])]),
    fe.randomNormal([n, options.latent]),
    fe.ones([n, 1]),
  ]);
  const dLoss = await models.d.trainOnBatch(x, labels);
  const gLoss = await state.gan.trainOnBatch(z, target);
  fe.dispose([x, labels, z, target]);
  return { dLoss, gLoss };
}
