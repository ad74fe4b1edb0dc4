// The background-training demo: the Fashion-MNIST MLP (examples/fashion-mnist-mlp.ts)
// trains in a worker made by `worker.create`; this page only draws what the worker reports.
//
// URL parameters (the browser tests use them): epochs=N, trainSize=N (first N training
// images), autostart=1 (train once loaded).
//
// `window.demo` holds the page's state for tests and the curious.

import * as fe from '/dist/index.mjs';
import uPlot from 'uplot';

const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);
const BATCH_SIZE = 32;

const demo = (window.demo = {
  phase: 'loading', // loading | ready | preparing | training | evaluating | done | error
  data: null,
  backend: null,
  threads: null,
  isolated: self.crossOriginIsolated === true,
  history: null,
  stopped: false,
  batchEvents: 0,
  trainSeconds: null,
  testLoss: null,
  testAccuracy: null,
  gridCorrect: null,
  maxTimerGapMs: 0,
  maxFrameGapMs: 0,
  /** Timer gaps over 50 ms while training: {at: ms since training began, ms, batches}. */
  longGaps: [],
  frames: 0,
  error: null,
  /** Milliseconds spent turning the pixels into float32 arrays before training. */
  prepareMs: null,
  trainStart: 0,
  ranOnce: false,
});

// ---- responsiveness: timer and frame gaps while training ----

let lastTick = performance.now();
setInterval(() => {
  const now = performance.now();
  if (demo.phase === 'training') {
    demo.maxTimerGapMs = Math.max(demo.maxTimerGapMs, now - lastTick);
    if (now - lastTick > 50)
      demo.longGaps.push({
        at: Math.round(now - demo.trainStart),
        ms: Math.round(now - lastTick),
        batches: demo.batchEvents,
      });
  }
  lastTick = now;
}, 10);

let lastFrame = performance.now();
let dirty = false;
function frame(now) {
  if (demo.phase === 'training') demo.maxFrameGapMs = Math.max(demo.maxFrameGapMs, now - lastFrame);
  lastFrame = now;
  demo.frames++;
  $('frames').textContent = demo.frames.toLocaleString('en-US');
  $('heart').style.opacity = String(0.35 + 0.65 * Math.abs(Math.sin(now / 300)));
  if (demo.phase === 'training' || dirty) {
    $('gap').textContent = `${Math.round(Math.max(demo.maxTimerGapMs, demo.maxFrameGapMs))} ms`;
  }
  if (dirty) redraw();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

// ---- data: IDX files served by scripts/serve-demo.mjs ----

const TO_FLOAT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/** Pixels 0..255 as float32 in [0, 1], in a fresh buffer (it will be transferred). */
function toFloat(u8) {
  const out = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) out[i] = TO_FLOAT[u8[i]];
  return out;
}

/** toFloat in slices, letting the page draw between them (60,000 images take about a second). */
async function toFloatInSlices(u8) {
  const out = new Float32Array(u8.length);
  const slice = 1 << 20;
  for (let start = 0; start < u8.length; start += slice) {
    const end = Math.min(u8.length, start + slice);
    for (let i = start; i < end; i++) out[i] = TO_FLOAT[u8[i]];
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return out;
}

async function loadData() {
  const info = await (await fetch('/data/info.json')).json();
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
  const n = Math.min(Number(params.get('trainSize') ?? trainX.shape[0]), trainX.shape[0]);
  return {
    info,
    train: { images: trainX.data.subarray(0, n * 784), labels: trainY.data.subarray(0, n), n },
    test: { images: testX.data, labels: testY.data, n: testX.shape[0] },
  };
}

/** {data, shape} inputs for the trainer: fresh arrays, so the originals stay for drawing. */
const inputs = async (split) => ({
  x: { data: await toFloatInSlices(split.images), shape: [split.n, 28, 28] },
  y: { data: Int32Array.from(split.labels), shape: [split.n] },
});

// ---- the model ----

function fashionMnistMlp() {
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

// ---- charts ----

const series = { x: [], loss: [], valLoss: [], acc: [], valAcc: [] };
let lossPlot;
let accPlot;

function makePlot(el, title, trainLabel, yRange) {
  const width = Math.max(300, el.clientWidth);
  return new uPlot(
    {
      title,
      width,
      height: 240,
      scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
      axes: [{ label: 'epoch' }, {}],
      series: [
        { label: 'epoch', value: (u, v) => (v == null ? '' : v.toFixed(2)) },
        { label: trainLabel, stroke: '#2563eb', width: 1.5, points: { show: false } },
        {
          label: 'validation',
          stroke: '#dc2626',
          width: 2,
          spanGaps: true,
          points: { show: true, size: 7, fill: '#dc2626' },
        },
      ],
      legend: { live: false },
    },
    [[], [], []],
    el,
  );
}

function redraw() {
  dirty = false;
  lossPlot.setData([series.x, series.loss, series.valLoss]);
  accPlot.setData([series.x, series.acc, series.valAcc]);
}

function resetCharts() {
  for (const k of Object.keys(series)) series[k] = [];
  dirty = true;
}

// ---- the run ----

let data;
let trainer = null;

function showBuild(t) {
  const pill = $('build');
  const name = {
    'simd-threads-relaxed': 'SIMD + threads',
    'simd-threads': 'SIMD + threads',
    'simd-relaxed': 'SIMD',
    simd: 'SIMD',
    scalar: 'scalar',
  }[t.backend];
  pill.textContent = `worker build: ${name} \u00b7 ${t.threads} thread${t.threads === 1 ? '' : 's'}`;
  pill.className = `pill ${t.threads > 1 ? 'threads' : 'single'}`;
  $('isolation').textContent = demo.isolated
    ? 'This page is cross-origin isolated (COOP/COEP), so the worker shares memory with a thread pool.'
    : 'This page is not cross-origin isolated, so the worker trains single-threaded. Serve it with ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp for threads.';
}

async function startTrainer() {
  const model = fashionMnistMlp();
  trainer?.terminate();
  trainer = await fe.worker.create(model);
  model.dispose();
  demo.backend = trainer.backend;
  demo.threads = trainer.threads;
  showBuild(trainer);
}

function setStatus(text) {
  $('status').textContent = text;
}

async function train() {
  const epochs = Math.max(1, Math.min(50, Number($('epochs').value) || 1));
  $('train').disabled = true;
  $('stop').disabled = false;
  $('grid').replaceChildren();
  $('grid-title').hidden = true;
  $('result').textContent = '';
  $('epochs-table').tBodies[0].replaceChildren();
  resetCharts();
  Object.assign(demo, {
    phase: 'preparing',
    stopped: false,
    batchEvents: 0,
    maxTimerGapMs: 0,
    maxFrameGapMs: 0,
    longGaps: [],
    history: null,
    testAccuracy: null,
  });
  setStatus('preparing\u2026');
  // A second run starts from a fresh model in a fresh worker.
  if (trainer === null || trainer.isTerminated || demo.ranOnce) await startTrainer();
  demo.ranOnce = true;

  const steps = Math.ceil(data.train.n / BATCH_SIZE);
  const prepStart = performance.now();
  const train = await inputs(data.train);
  const test = await inputs(data.test);
  demo.prepareMs = performance.now() - prepStart;
  // Responsiveness is measured from here: the arrays are ready and move to the worker.
  await nextFrame();
  lastTick = lastFrame = demo.trainStart = performance.now();
  demo.phase = 'training';
  let smoothLoss = null;
  let smoothAcc = null;
  let epochStart = performance.now();
  let epochNow = 0;
  let seen = 0;
  const start = performance.now();
  try {
    demo.history = await trainer.fit(train.x, train.y, {
      epochs,
      batchSize: BATCH_SIZE,
      validationData: [test.x, test.y],
      onEpochBegin: (epoch) => {
        epochNow = epoch;
        epochStart = performance.now();
      },
      onBatchEnd: (batch, logs) => {
        demo.batchEvents++;
        seen += logs.size;
        // Exponential moving averages of the batch values, as TensorBoard smooths them.
        smoothLoss = smoothLoss === null ? logs.loss : 0.98 * smoothLoss + 0.02 * logs.loss;
        smoothAcc = smoothAcc === null ? logs.acc : 0.98 * smoothAcc + 0.02 * logs.acc;
        const x = epochNow + (batch + 1) / steps;
        series.x.push(x);
        series.loss.push(smoothLoss);
        series.acc.push(smoothAcc);
        series.valLoss.push(null);
        series.valAcc.push(null);
        dirty = true;
        const done = x / epochs;
        $('progress-fill').style.width = `${(100 * Math.min(1, done)).toFixed(1)}%`;
        const rate = seen / ((performance.now() - start) / 1000);
        setStatus(
          `epoch ${epochNow + 1}/${epochs} \u00b7 batch ${batch + 1}/${steps} \u00b7 loss ${smoothLoss.toFixed(4)} \u00b7 ${Math.round(rate).toLocaleString('en-US')} samples/s`,
        );
      },
      onEpochEnd: (epoch, logs) => {
        if (series.x.length > 0) {
          series.valLoss[series.valLoss.length - 1] = logs.val_loss;
          series.valAcc[series.valAcc.length - 1] = logs.val_acc;
        }
        dirty = true;
        const row = document.createElement('tr');
        const cells = [epoch + 1, logs.loss, logs.acc, logs.val_loss, logs.val_acc];
        for (const v of cells) {
          const td = document.createElement('td');
          td.textContent = Number.isInteger(v) ? String(v) : v.toFixed(4);
          row.append(td);
        }
        const td = document.createElement('td');
        td.textContent = `${((performance.now() - epochStart) / 1000).toFixed(1)} s`;
        row.append(td);
        $('epochs-table').tBodies[0].append(row);
      },
    });
    demo.trainSeconds = (performance.now() - start) / 1000;
    demo.phase = 'evaluating';
    $('stop').disabled = true;
    setStatus(`${demo.stopped ? 'stopped' : 'trained'} in ${demo.trainSeconds.toFixed(1)} s; evaluating\u2026`);
    await finish();
    demo.phase = 'done';
  } catch (e) {
    fail(e);
  } finally {
    $('train').disabled = false;
    $('stop').disabled = true;
  }
}

/** Test accuracy over the whole test set, and the grid of 50 random test images. */
async function finish() {
  const test = await inputs(data.test);
  const [loss, acc] = await trainer.evaluate(test.x, test.y, { batchSize: 256 });
  demo.testLoss = loss;
  demo.testAccuracy = acc;
  $('result').textContent =
    `Test accuracy ${(100 * acc).toFixed(2)}% (loss ${loss.toFixed(4)}) on ${data.test.n.toLocaleString('en-US')} test images, ` +
    `after ${demo.trainSeconds.toFixed(1)} s of training${demo.stopped ? ' (stopped early)' : ''}.`;

  const picks = [];
  while (picks.length < 50) {
    const i = Math.floor(Math.random() * data.test.n);
    if (!picks.includes(i)) picks.push(i);
  }
  const x = new Float32Array(50 * 784);
  picks.forEach((i, k) => x.set(toFloat(data.test.images.subarray(i * 784, (i + 1) * 784)), k * 784));
  const probs = await trainer.predict({ data: x, shape: [50, 28, 28] });
  const predicted = fe.argMax(probs, -1).dataSync();
  probs.dispose();
  drawGrid(picks, predicted);
  setStatus(
    `done: ${demo.history.epoch.length} epoch${demo.history.epoch.length === 1 ? '' : 's'} in ${demo.trainSeconds.toFixed(1)} s`,
  );
}

function drawGrid(picks, predicted) {
  const classes = data.info.classes;
  const cells = picks.map((i, k) => {
    const cell = document.createElement('div');
    const truth = data.test.labels[i];
    cell.className = `cell${predicted[k] === truth ? '' : ' wrong'}`;
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(28, 28);
    const pixels = data.test.images.subarray(i * 784, (i + 1) * 784);
    for (let p = 0; p < 784; p++) {
      const v = 255 - pixels[p]; // dark ink on white
      img.data[4 * p] = v;
      img.data[4 * p + 1] = v;
      img.data[4 * p + 2] = v;
      img.data[4 * p + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    const pred = document.createElement('div');
    pred.className = 'pred';
    pred.textContent = classes[predicted[k]];
    const t = document.createElement('div');
    t.className = 'truth';
    t.textContent = classes[truth];
    cell.append(canvas, pred, t);
    return cell;
  });
  demo.gridCorrect = picks.filter((i, k) => predicted[k] === data.test.labels[i]).length;
  $('grid').replaceChildren(...cells);
  $('grid-title').textContent =
    `50 random test images: prediction (top) / truth (below), ${demo.gridCorrect} of 50 right`;
  $('grid-title').hidden = false;
}

function fail(e) {
  demo.phase = 'error';
  demo.error = String(e?.message ?? e);
  const status = $('status');
  status.textContent = demo.error;
  status.className = 'status error';
  console.error(e);
}

async function main() {
  lossPlot = makePlot($('loss-chart'), 'Loss', 'train (smoothed)');
  accPlot = makePlot($('acc-chart'), 'Accuracy', 'train (smoothed)', (u, min, max) => [Math.min(0.5, min ?? 0.5), 1]);
  if (params.get('epochs')) $('epochs').value = params.get('epochs');
  await fe.ready();
  const [loaded] = await Promise.all([loadData(), startTrainer()]);
  data = loaded;
  demo.data = data.info.name;
  $('data-title').textContent = `${data.info.title} (${data.train.n.toLocaleString('en-US')} training images)`;
  setStatus('ready');
  demo.phase = 'ready';
  $('train').disabled = false;
  $('train').onclick = () => train();
  $('stop').onclick = () => {
    demo.stopped = true;
    $('stop').disabled = true;
    setStatus('stopping at the next batch\u2026');
    trainer.stop();
  };
  if (params.get('autostart') === '1') train();
}

main().catch(fail);
