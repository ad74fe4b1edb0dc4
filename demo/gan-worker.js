// The gallery's GAN, trained in this module worker: examples/dcgan.ts's DCGAN (narrow) in
// its Keras-classic style: D compiled, then frozen inside z -> G -> D, each step one
// D.trainOnBatch on [real; fake] and one gan.trainOnBatch(z, 1). A GAN alternates two
// models per batch, which a trainer's `fit` does not do, so the page starts this worker
// itself. It loads the package from /worker-lib/ (scripts/serve-demo.mjs points its
// comlink import at a file: workers have no import map).
//
// Messages in: {type: 'start', images (float32 in [-1, 1], [n, 28, 28, 1]), n, steps,
// batchSize, width}, then 'pause', 'resume', 'stop'. Out: 'ready' {backend, threads},
// 'batch' {batch, logs}, 'samples' {step, images (16 x 784)}, 'done' {stopped, steps}, 'error'.

import * as fe from '/worker-lib/index.mjs';

const LATENT = 100;
let paused = false;
let stopped = false;
let wake = null;

/** G: z -> Dense 7*7*2w -> BN -> LeakyReLU -> 7x7x2w -> ConvT w (stride 2) -> BN -> LeakyReLU -> ConvT 1 (stride 2), tanh. */
function generator(width) {
  return fe.sequential({
    layers: [
      fe.layers.dense({ inputShape: [LATENT], units: 7 * 7 * 2 * width, useBias: false }),
      fe.layers.batchNormalization(),
      fe.layers.leakyReLU({ alpha: 0.2 }),
      fe.layers.reshape({ targetShape: [7, 7, 2 * width] }),
      fe.layers.conv2dTranspose({ filters: width, kernelSize: 5, strides: 2, padding: 'same', useBias: false }),
      fe.layers.batchNormalization(),
      fe.layers.leakyReLU({ alpha: 0.2 }),
      fe.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
}

/** D: Conv w (stride 2) -> LeakyReLU -> Dropout -> Conv 2w (stride 2) -> LeakyReLU -> Dropout -> Dense 1, sigmoid. */
function discriminator(width) {
  return fe.sequential({
    layers: [
      fe.layers.conv2d({ inputShape: [28, 28, 1], filters: width, kernelSize: 5, strides: 2, padding: 'same' }),
      fe.layers.leakyReLU({ alpha: 0.2 }),
      fe.layers.dropout({ rate: 0.3 }),
      fe.layers.conv2d({ filters: 2 * width, kernelSize: 5, strides: 2, padding: 'same' }),
      fe.layers.leakyReLU({ alpha: 0.2 }),
      fe.layers.dropout({ rate: 0.3 }),
      fe.layers.flatten(),
      fe.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
}

async function train({ images, n, steps, batchSize, width }) {
  fe.setWasmPaths(new URL('/dist/', self.location.href).href);
  if (self.crossOriginIsolated) await fe.setBackend('simd-threads');
  await fe.ready();
  postMessage({ type: 'ready', backend: fe.getBackend(), threads: fe.getThreadsCount() });
  const real = fe.tensor4d(images, [n, 28, 28, 1]);
  const g = generator(width);
  const d = discriminator(width);
  d.compile({ optimizer: fe.train.adam(2e-4, 0.5), loss: 'binaryCrossentropy' });
  d.trainable = false; // frozen after its own compile: the combined model trains only G
  const z = fe.input({ shape: [LATENT] });
  const gan = fe.model({ inputs: z, outputs: d.apply(g.apply(z)) });
  gan.compile({ optimizer: fe.train.adam(2e-4, 0.5), loss: 'binaryCrossentropy' });
  const fixedNoise = fe.randomNormal([16, LATENT]);
  let step = 0;
  for (; step < steps && !stopped; step++) {
    if (paused) await new Promise((resolve) => (wake = resolve));
    if (stopped) break;
    const idx = fe.tensor1d(
      Array.from({ length: batchSize }, () => Math.floor(Math.random() * n)),
      'int32',
    );
    const [x, labels, z2, target] = fe.tidy(() => [
      fe.concat([fe.gather(real, idx), g.predict(fe.randomNormal([batchSize, LATENT]))]),
      fe.concat([fe.ones([batchSize, 1]), fe.zeros([batchSize, 1])]),
      fe.randomNormal([batchSize, LATENT]),
      fe.ones([batchSize, 1]),
    ]);
    const dLoss = await d.trainOnBatch(x, labels);
    const gLoss = await gan.trainOnBatch(z2, target);
    fe.dispose([idx, x, labels, z2, target]);
    postMessage({ type: 'batch', batch: step, logs: { d_loss: dLoss, g_loss: gLoss } });
    if (step % 10 === 9 || step === steps - 1) postSamples(g, fixedNoise, step);
    // Let 'pause' and 'stop' messages in between steps.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  postSamples(g, fixedNoise, step);
  postMessage({ type: 'done', stopped, steps: step });
}

/** 16 images from the same noise, as float32 in [-1, 1]. */
function postSamples(g, noise, step) {
  const out = g.predict(noise);
  const images = out.dataSync().slice();
  out.dispose();
  postMessage({ type: 'samples', step, images }, [images.buffer]);
}

onmessage = (e) => {
  const m = e.data;
  if (m.type === 'start') train(m).catch((err) => postMessage({ type: 'error', message: String(err?.message ?? err) }));
  else if (m.type === 'pause') paused = true;
  else if (m.type === 'resume') {
    paused = false;
    wake?.();
  } else if (m.type === 'stop') {
    stopped = true;
    paused = false;
    wake?.();
  }
};
