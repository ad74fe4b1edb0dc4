// evaluate, predict and trainOnBatch: batched loops over the data in inference mode
// (no dropout), each batch in its own scope.

import type { Tensor } from '../tensor/tensor.js';
import { emptyTensor } from '../tensor/tensor.js';
import { endScope, startScope } from '../tensor/scope.js';
import { clone, scalar } from '../tensor/creation.js';
import { slice } from '../ops/index.js';
import type { TrainableModel } from './trainable-model.js';
import type { CompiledState } from './compile.js';
import {
  checkData,
  checkFinite,
  checkInputs,
  ensureGraphFor,
  sampleCount,
  toTensorList,
  type ModelData,
} from './data-checks.js';
import { outputLoss, readScalar, totalLoss, updateMetrics } from './loss-compute.js';
import { TrainStep } from './train-step.js';
import { defaultSink, fmtStepTime, fmtValue, type ProgressSink } from './progress.js';

export interface ModelEvaluateArgs {
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /** 0 silent (default), 1 or 2: one Keras-style line with the results. */
  verbose?: number;
  /** Where verbose output goes (default: stdout in Node, the console in browsers). */
  progressSink?: ProgressSink;
}

export interface ModelPredictArgs {
  /** Samples per batch. Default 32. */
  batchSize?: number;
  verbose?: number;
}

export function checkBatchSize(model: TrainableModel, op: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`ferrite: ${model.name}: ${op}: batchSize must be a positive integer, got ${batchSize}`);
}

/** Rows [start, start + count) of x (x itself when that is all of it). */
export function sliceRows(x: Tensor, start: number, count: number): Tensor {
  if (start === 0 && count === x.shape[0]) return x;
  return slice(x, [start, ...x.shape.slice(1).map(() => 0)], [count, ...x.shape.slice(1)]);
}

/**
 * Loss and metrics over xs, ys in batches: the values named by `metricsNames`, as
 * numbers. Losses are averaged over samples; metrics aggregate their counts over all
 * batches (so precision is over the whole data, not a mean of batch precisions).
 */
export function evaluateInternal(
  model: TrainableModel,
  compiled: CompiledState,
  xs: Tensor[],
  ys: Tensor[],
  batchSize: number,
): number[] {
  const outputs = compiled.outputs();
  const pre = outputs.map((o) => o.path !== 'plain');
  const multi = outputs.length > 1;
  const numLosses = compiled.numLossValues;
  const hasRegularizers = model.layerWeights.some((w) => w.regularizer !== null);
  const n = xs[0].shape[0];
  const lossSums = new Float64Array(numLosses);
  compiled.resetMetrics();
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    startScope();
    try {
      const xb = xs.map((x) => sliceRows(x, start, count));
      const yb = ys.map((y) => sliceRows(y, start, count));
      const preds = model.execute(xb, { training: false }, pre);
      const losses = outputs.map((o, k) => outputLoss(o, yb[k], preds[k], null));
      const total = totalLoss(outputs, losses, hasRegularizers ? () => model.regularizationLosses() : null);
      lossSums[0] += readScalar(total) * count;
      if (multi) losses.forEach((l, k) => (lossSums[k + 1] += readScalar(l) * count));
      const ignored: number[] = [];
      outputs.forEach((o, k) => updateMetrics(o, yb[k], preds[k], ignored));
    } finally {
      endScope();
    }
  }
  const values = Array.from(lossSums, (s) => s / n);
  for (const o of outputs) for (const m of o.metrics) values.push(m.metric.result());
  return values;
}

/** Loss and metrics as scalar tensors (one, or one per `metricsNames` entry), like TF.js. */
export function evaluateModel(
  model: TrainableModel,
  compiled: CompiledState,
  x: ModelData,
  y: ModelData,
  args: ModelEvaluateArgs = {},
): Tensor | Tensor[] {
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(model, 'evaluate', batchSize);
  ensureGraphFor(model, x);
  const { xs, ys, n } = checkData('evaluate', model, compiled.outputs(), x, y, true);
  if (n === 0) throw new Error(`ferrite: ${model.name}: evaluate: x has no samples`);
  const start = performance.now();
  const values = evaluateInternal(model, compiled, xs, ys, batchSize);
  if ((args.verbose ?? 0) > 0) {
    const steps = Math.ceil(n / batchSize);
    const seconds = (performance.now() - start) / 1000;
    const results = compiled.metricsNames.map((name, i) => ` - ${name}: ${fmtValue(values[i])}`).join('');
    (args.progressSink ?? defaultSink()).writeLine(
      `${steps}/${steps} - ${Math.round(seconds)}s - ${fmtStepTime(seconds / steps)}${results}`,
    );
  }
  const tensors = values.map((v) => scalar(v));
  return tensors.length === 1 ? tensors[0] : tensors;
}

/** Outputs for x in batches; one tensor per model output. */
export function predictModel(model: TrainableModel, x: ModelData, args: ModelPredictArgs = {}): Tensor | Tensor[] {
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(model, 'predict', batchSize);
  ensureGraphFor(model, x);
  const xs = toTensorList('predict', model, 'x', x, model.inputs.length);
  const n = sampleCount('predict', model, xs);
  checkInputs('predict', model, xs);
  xs.forEach((t, i) => checkFinite('predict', model, xs.length > 1 ? `x[${i}]` : 'x', t));

  let results: Tensor[];
  if (n <= batchSize) {
    startScope();
    let outs: Tensor[] = [];
    try {
      // An output that is an input (an identity model) is copied: the caller owns results.
      outs = model.execute(xs, { training: false }).map((t) => (xs.includes(t) ? clone(t) : t));
    } finally {
      endScope(outs);
    }
    results = outs;
  } else {
    results = [];
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      startScope();
      try {
        const outs = model.execute(
          xs.map((t) => sliceRows(t, start, count)),
          { training: false },
        );
        if (start === 0) {
          // Preallocate the full outputs once the per-sample shapes are known.
          results = outs.map((o) => emptyTensor([n, ...o.shape.slice(1)], o.dtype, o.engine));
        }
        outs.forEach((o, k) => copyRows(results[k], start, o, model.name));
      } catch (e) {
        for (const r of results) r.dispose();
        throw e;
      } finally {
        endScope(results);
      }
    }
  }
  return model.hasSingleOutput ? results[0] : results;
}

/** Copies `src` ([count, ...rest]) into rows [row, row + count) of `dst` ([n, ...rest]). */
function copyRows(dst: Tensor, row: number, src: Tensor, model: string): void {
  const rowSize = dst.size / dst.shape[0];
  if (src.size !== src.shape[0] * rowSize || src.dtype !== dst.dtype || src.engine !== dst.engine) {
    throw new Error(
      `ferrite: ${model}: predict: batch output [${src.shape.join(', ')}] does not match [${dst.shape.join(', ')}]`,
    );
  }
  const at = dst.ptr + row * rowSize * 4;
  dst.engine.u8.copyWithin(at, src.ptr, src.ptr + src.size * 4);
}

/** One optimizer step on x, y as a single batch; returns the loss, or [loss, ...metrics]. */
export async function trainOnBatchModel(
  model: TrainableModel,
  compiled: CompiledState,
  x: ModelData,
  y: ModelData,
): Promise<number | number[]> {
  ensureGraphFor(model, x);
  if (model.isTraining)
    throw new Error(`ferrite: ${model.name}: trainOnBatch: the model is training (await the running fit first)`);
  const { xs, ys } = checkData('trainOnBatch', model, compiled.outputs(), x, y, true);
  const step = new TrainStep(model, compiled, 'trainOnBatch');
  startScope();
  let values: number[];
  try {
    values = step.run(xs, ys, null);
  } finally {
    endScope();
  }
  return values.length === 1 ? values[0] : values;
}
