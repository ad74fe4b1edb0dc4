// evaluate, predict and trainOnBatch: batched loops over the data in inference mode
// (no dropout), each batch in its own scope.

import type { Tensor } from '../tensor/tensor.js';
import { emptyTensor } from '../tensor/tensor.js';
import { endScope, startScope } from '../tensor/scope.js';
import { clone, scalar } from '../tensor/creation.js';
import { slice } from '../ops/index.js';
import type { TrainableModel } from './trainable-model.js';
import type { CompiledOutput, CompiledState } from './compile.js';
import {
  checkData,
  checkFinite,
  checkInputs,
  ensureGraphFor,
  sampleCount,
  toTensorList,
  type ModelData,
} from './data-checks.js';
import { lossTargets, outputLoss, readScalar, totalLoss, updateMetrics } from './loss-compute.js';
import { TrainStep } from './train-step.js';
import { defaultSink, fmtStepTime, fmtValue, StepProgress, type ProgressSink } from './progress.js';

/** Options of `model.evaluate` (TF.js's ModelEvaluateArgs). */
export interface ModelEvaluateArgs {
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /** 0 silent (default), 1 or 2: one Keras-style line with the results. */
  verbose?: number;
  /** Where verbose output goes (default: stdout in Node, the console in browsers). */
  progressSink?: ProgressSink;
}

/** Options of `model.predict` (TF.js's ModelPredictArgs). */
export interface ModelPredictArgs {
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /**
   * Progress as Keras's predict prints it (TF.js prints nothing): 0 or false silent
   * (default), 1 or true a bar (live in a terminal) ending in
   * `313/313 [==============================] - 0s 1ms/step`, 2 that line without the bar.
   */
  verbose?: number | boolean;
  /** Where verbose output goes (default: stdout in Node, the console in browsers). */
  progressSink?: ProgressSink;
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
 * Sums of losses and metric counts over batches in inference mode, the body of evaluate
 * and evaluateDataset. Losses are averaged over samples; metrics aggregate their counts
 * over all batches (so precision is over the whole data, not a mean of batch precisions).
 */
export class EvalAccumulator {
  private readonly outputs: readonly CompiledOutput[];
  private readonly pre: boolean[];
  private readonly hasRegularizers: boolean;
  private readonly lossSums: Float64Array;
  private samples = 0;

  constructor(
    private readonly model: TrainableModel,
    compiled: CompiledState,
  ) {
    this.outputs = compiled.outputs();
    this.pre = this.outputs.map((o) => o.path !== 'plain');
    this.hasRegularizers = model.layerWeights.some((w) => w.regularizer !== null);
    this.lossSums = new Float64Array(compiled.numLossValues);
    compiled.resetMetrics();
  }

  /** Adds one batch (one tensor per input and per output), in its own scope. */
  add(xb: Tensor[], targets: Tensor[]): void {
    const count = xb[0].shape[0];
    startScope();
    try {
      const yb = lossTargets(this.outputs, targets);
      // The loss fit minimises, penalties included (Keras's evaluate adds activity ones too).
      const activityLosses: Tensor[] = [];
      const masks: (Tensor | null)[] = [];
      const preds = this.model.execute(xb, { training: false, activityLosses }, this.pre, masks);
      const losses = this.outputs.map((o, k) => outputLoss(o, yb[k], preds[k], null, masks[k] ?? null));
      const total = totalLoss(
        this.outputs,
        losses,
        this.hasRegularizers || activityLosses.length > 0
          ? () => [...(this.hasRegularizers ? this.model.regularizationLosses() : []), ...activityLosses]
          : null,
      );
      this.lossSums[0] += readScalar(total) * count;
      if (this.outputs.length > 1) losses.forEach((l, k) => (this.lossSums[k + 1] += readScalar(l) * count));
      const ignored: number[] = [];
      this.outputs.forEach((o, k) => updateMetrics(o, yb[k], preds[k], ignored, masks[k] ?? null));
    } finally {
      endScope();
    }
    this.samples += count;
  }

  /** The values named by `metricsNames`: mean losses, then the metrics. */
  result(): number[] {
    const values = Array.from(this.lossSums, (s) => s / this.samples);
    for (const o of this.outputs) for (const m of o.metrics) values.push(m.metric.result());
    return values;
  }
}

/** Loss and metrics over xs, ys in batches of `batchSize`: the values named by `metricsNames`. */
export function evaluateInternal(
  model: TrainableModel,
  compiled: CompiledState,
  xs: Tensor[],
  ys: Tensor[],
  batchSize: number,
): number[] {
  const acc = new EvalAccumulator(model, compiled);
  const n = xs[0].shape[0];
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    startScope();
    try {
      acc.add(
        xs.map((x) => sliceRows(x, start, count)),
        ys.map((y) => sliceRows(y, start, count)),
      );
    } finally {
      endScope();
    }
  }
  return acc.result();
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
  if ((args.verbose ?? 0) > 0) printEvaluation(compiled, values, Math.ceil(n / batchSize), start, args.progressSink);
  return evaluationTensors(values);
}

/** evaluate's verbose line: '313/313 - 0s - 253us/step - loss: 0.3354 - acc: 0.8800'. */
export function printEvaluation(
  compiled: CompiledState,
  values: number[],
  steps: number,
  startMs: number,
  sink: ProgressSink | undefined,
): void {
  const seconds = (performance.now() - startMs) / 1000;
  const results = compiled.metricsNames.map((name, i) => ` - ${name}: ${fmtValue(values[i])}`).join('');
  (sink ?? defaultSink()).writeLine(
    `${steps}/${steps} - ${Math.round(seconds)}s - ${fmtStepTime(seconds / Math.max(1, steps))}${results}`,
  );
}

/** evaluate's result, as TF.js's: one scalar tensor, or one per name in metricsNames. */
export function evaluationTensors(values: number[]): Tensor | Tensor[] {
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
  const verbose = Number(args.verbose ?? 0);
  const steps = Math.max(1, Math.ceil(n / batchSize));
  const progress = verbose > 0 ? new StepProgress(verbose, steps, args.progressSink) : undefined;

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
        progress?.step(start / batchSize + 1);
      } catch (e) {
        for (const r of results) r.dispose();
        throw e;
      } finally {
        endScope(results);
      }
    }
  }
  progress?.end();
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
