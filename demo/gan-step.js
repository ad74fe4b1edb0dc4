// The gallery's GAN step, run in the Ferrite training worker (trainer.loadStep):
// examples/dcgan.ts's DCGAN in its Keras-classic style. The trainer's model is the
// generator G, ctx.models.d the discriminator D. setup compiles D, freezes it inside
// z -> G -> D and compiles that; each step is one D.trainOnBatch on [real; fake] and one
// gan.trainOnBatch(z, 1), and returns both losses.

export function setup({ fe, model: g, models: { d }, options }) {
  d.compile({ optimizer: fe.train.adam(2e-4, 0.5), loss: 'binaryCrossentropy' });
  d.trainable = false; // frozen after its own compile: the combined model trains only G
  const z = fe.input({ shape: [options.latent] });
  const gan = fe.model({ inputs: z, outputs: d.apply(g.apply(z)) });
  gan.compile({ optimizer: fe.train.adam(2e-4, 0.5), loss: 'binaryCrossentropy' });
  return { gan };
}

/** inputs.real: every training image, [n, 28, 28, 1] in [-1, 1] (kept in the worker with putData). */
export async function step({ fe, model: g, models: { d }, options, state }, { real }, { batchSize }) {
  const n = real.shape[0];
  const idx = fe.tensor1d(
    Array.from({ length: batchSize }, () => Math.floor(Math.random() * n)),
    'int32',
  );
  const [x, labels, z, target] = fe.tidy(() => [
    fe.concat([fe.gather(real, idx), g.predict(fe.randomNormal([batchSize, options.latent]))]),
    fe.concat([fe.ones([batchSize, 1]), fe.zeros([batchSize, 1])]),
    fe.randomNormal([batchSize, options.latent]),
    fe.ones([batchSize, 1]),
  ]);
  try {
    const dLoss = await d.trainOnBatch(x, labels);
    const gLoss = await state.gan.trainOnBatch(z, target);
    return { d_loss: dLoss, g_loss: gLoss };
  } finally {
    fe.dispose([idx, x, labels, z, target]);
  }
}
