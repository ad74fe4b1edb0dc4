// What the demo pages share: IDX data sets served by scripts/serve-demo.mjs, turned into
// float32 inputs, and how a worker's build and thread count read.

import * as fe from '/dist/index.mjs';

const TO_FLOAT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Pixels 0..255 as float32 in [0, 1], in a fresh buffer (it will be transferred). */
export function toFloat(u8) {
  const out = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) out[i] = TO_FLOAT[u8[i]];
  return out;
}

/** toFloat in slices, letting the page draw between them (60,000 images take about a second). */
export async function toFloatInSlices(u8) {
  const out = new Float32Array(u8.length);
  const slice = 1 << 20;
  for (let start = 0; start < u8.length; start += slice) {
    const end = Math.min(u8.length, start + slice);
    for (let i = start; i < end; i++) out[i] = TO_FLOAT[u8[i]];
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return out;
}

/**
 * The four IDX files a data set's info.json names (`infoUrl`), the training split cut to
 * its first `trainSize` images: {info, train: {images, labels, n}, test: {...}}.
 */
export async function loadIdxSet(infoUrl, trainSize) {
  const info = await (await fetch(infoUrl)).json();
  const url = (name) =>
    new URL(
      info.files.find((f) => f.includes(name)),
      location.href,
    ).href;
  const [trainX, trainY, testX, testY] = await Promise.all([
    fe.readIdx(url('train-images'), 3),
    fe.readIdx(url('train-labels'), 1),
    fe.readIdx(url('t10k-images'), 3),
    fe.readIdx(url('t10k-labels'), 1),
  ]);
  const n = Math.min(Number(trainSize ?? trainX.shape[0]), trainX.shape[0]);
  return {
    info,
    train: { images: trainX.data.subarray(0, n * 784), labels: trainY.data.subarray(0, n), n },
    test: { images: testX.data, labels: testY.data, n: testX.shape[0] },
  };
}

/** 'worker build: SIMD + threads · 2 threads' */
export function buildText(t) {
  const name = {
    'simd-threads-relaxed': 'SIMD + threads',
    'simd-threads': 'SIMD + threads',
    'simd-relaxed': 'SIMD',
    simd: 'SIMD',
    scalar: 'scalar',
  }[t.backend];
  return `worker build: ${name} \u00b7 ${t.threads} thread${t.threads === 1 ? '' : 's'}`;
}

/** P1, the Fashion-MNIST MLP (examples/fashion-mnist-mlp.ts), compiled. */
export function fashionMnistMlp() {
  const model = fe.sequential({
    layers: [
      fe.layers.flatten({ inputShape: [28, 28] }),
      fe.layers.dense({ units: 128, activation: 'relu' }),
      fe.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: fe.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
