// model.fitDataset and model.evaluateDataset, as TF.js's: training and evaluation on a
// Dataset whose elements are ready-made batches, {xs, ys} (TF.js) or [xs, ys] (Keras's
// tuples), with xs and ys a tensor, an array of tensors (one per input / output), or an
// object of them by input / output name. Each batch's tensors are disposed after its step.
// Each epoch runs a fresh pass over the dataset, or with `batchesPerEpoch` that many
// batches from one stream that continues across epochs (as TF.js).

import { Tensor } from '../tensor/tensor.js';
import { endScope, startScope, tensorsIn } from '../tensor/scope.js';
import type { Dataset } from '../data/dataset.js';
import type { DatasetIterator } from '../data/dataset-iterator.js';
import type { TrainableModel } from './trainable-model.js';
import type { CallbackIdentifier, History } from './callbacks.js';
import type { CompiledState } from './compile.js';
import { checkData, ensureGraphFor, type ModelData } from './data-checks.js';
import { EvalAccumulator, evaluateInternal, evaluationTensors, printEvaluation } from './evaluate.js';
import type { ProgressSink } from './progress.js';
import { TrainStep } from './train-step.js';
import { NonFiniteStepError } from './finite.js';
import { TerminateOnNaN } from './terminate-on-nan.js';
import {
  EpochTotals,
  classWeightTable,
  classWeightsFor,
  fitCallbacks,
  nextTick,
  nonFiniteError,
  type ClassWeight,
} from './fit.js';

/**
 * The options of `model.fitDataset` (TF.js's ModelFitDatasetArgs).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const xs = fe.data.array([[1], [2], [3], [4]]).map((r) => fe.tensor1d(r));
 * const ds = fe.data.zip({ xs, ys: xs.map((t) => t.mul(2)) }).batch(2);
 * await m.fitDataset(ds, { epochs: 2, validationData: ds, verbose: 0 });
 * ```
 */
export interface ModelFitDatasetArgs<T = unknown> {
  /** Number of epochs (required, as in TF.js). */
  epochs: number;
  /** Batches per epoch; default: a full pass over the dataset each epoch. */
  batchesPerEpoch?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Called during training: callback objects or objects of hook functions. */
  callbacks?: CallbackIdentifier | CallbackIdentifier[];
  /** A dataset of batches, or [xVal, yVal] tensors, evaluated at the end of each epoch. */
  validationData?: Dataset<T> | [ModelData, ModelData];
  /** Batch size for tensor validation data. Default 32 (TF.js's). */
  validationBatchSize?: number;
  /** Batches of a validation dataset to use; default: all. */
  validationBatches?: number;
  /** Weights of the classes in the loss (single-output models). */
  classWeight?: ClassWeight;
  /** Epoch to start counting from (to resume a run). Default 0. */
  initialEpoch?: number;
  /** How often training lets the event loop run, as fit's. Default 'auto' (about every 100 ms). */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
  /** Where verbose output goes (default: stdout in Node, the console in browsers). */
  progressSink?: ProgressSink;
}

/**
 * Options of `model.evaluateDataset` (TF.js's ModelEvaluateDatasetArgs).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const xs = fe.data.array([[1], [2], [3], [4]]).map((r) => fe.tensor1d(r));
 * const ds = fe.data.zip({ xs, ys: xs }).batch(1);
 * await m.evaluateDataset(ds, { batches: 2 }); // the loss over the first 2 batches
 * ```
 */
export interface ModelEvaluateDatasetArgs {
  /** Batches to evaluate; default: the whole dataset. */
  batches?: number;
  /** 0 silent (default), 1 or 2: one Keras-style line with the results. */
  verbose?: number;
  /** Where verbose output goes (default: stdout in Node, the console in browsers). */
  progressSink?: ProgressSink;
}

const isDataset = (d: unknown): d is Dataset<unknown> =>
  d !== null && typeof d === 'object' && typeof (d as Dataset<unknown>).iterator === 'function';

/** A batch's xs and ys from a dataset element, checked against the model. */
function batchOf(
  op: string,
  model: TrainableModel,
  compiled: CompiledState,
  element: unknown,
): { xs: Tensor[]; ys: Tensor[] } {
  let x: unknown;
  let y: unknown;
  if (Array.isArray(element) && element.length === 2) [x, y] = element;
  else if (element !== null && typeof element === 'object')
    ({ xs: x, ys: y } = element as { xs: unknown; ys: unknown });
  if (x === undefined || x === null || y === undefined || y === null) {
    const got =
      element instanceof Tensor
        ? `a tensor of shape [${element.shape.join(', ')}]`
        : element === null || typeof element !== 'object'
          ? String(element)
          : `{${Object.keys(element).join(', ')}}`;
    throw new Error(
      `ferrite: ${model.name}: ${op}: the dataset's elements must be {xs, ys} or [xs, ys] (batched tensors, arrays or objects of them by input / output name), got ${got}`,
    );
  }
  ensureGraphFor(model, x as ModelData);
  const { xs, ys } = checkData(op, model, compiled.outputs(), x as ModelData, y as ModelData, true);
  return { xs, ys };
}

function checkPositive(model: TrainableModel, op: string, name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1))
    throw new Error(`ferrite: ${model.name}: ${op}: ${name} must be a positive integer, got ${v}`);
}

/** Evaluates up to `batches` elements of `it` (all when undefined); the values named by metricsNames. */
async function evaluateStream(
  op: string,
  model: TrainableModel,
  compiled: CompiledState,
  it: DatasetIterator<unknown>,
  batches: number | undefined,
): Promise<{ values: number[]; steps: number }> {
  const acc = new EvalAccumulator(model, compiled);
  let steps = 0;
  while (batches === undefined || steps < batches) {
    const s = await it.next();
    if (s.done) {
      if (batches !== undefined)
        console.warn(
          `ferrite: ${model.name}: ${op}: the dataset ran out after ${steps} of ${batches} batches (repeat() it to make more)`,
        );
      break;
    }
    try {
      const { xs, ys } = batchOf(op, model, compiled, s.value);
      acc.add(xs, ys);
    } finally {
      for (const t of tensorsIn(s.value)) t.dispose();
    }
    steps++;
  }
  if (steps === 0) throw new Error(`ferrite: ${model.name}: ${op}: the dataset gave no batch to evaluate`);
  return { values: acc.result(), steps };
}

/** model.evaluateDataset: loss and metrics as scalar tensors (one, or one per metricsNames entry). */
export async function evaluateDatasetModel(
  model: TrainableModel,
  compiled: CompiledState,
  dataset: Dataset<unknown>,
  args: ModelEvaluateDatasetArgs = {},
): Promise<Tensor | Tensor[]> {
  const op = 'evaluateDataset';
  if (!isDataset(dataset)) throw new Error(`ferrite: ${model.name}: ${op}: expected a Dataset (from data.array, ...)`);
  checkPositive(model, op, 'batches', args.batches);
  const start = performance.now();
  const { values, steps } = await evaluateStream(op, model, compiled, await dataset.iterator(), args.batches);
  if ((args.verbose ?? 0) > 0) printEvaluation(compiled, values, steps, start, args.progressSink);
  return evaluationTensors(values);
}

/** model.fitDataset: trains on the dataset's batches; resolves to the History. */
export async function fitDatasetModel<T>(
  model: TrainableModel,
  compiled: CompiledState,
  dataset: Dataset<T>,
  args: ModelFitDatasetArgs<T>,
): Promise<History> {
  const op = 'fitDataset';
  const fail = (what: string): never => {
    throw new Error(`ferrite: ${model.name}: ${op}: ${what}`);
  };
  if (!isDataset(dataset)) fail('expected a Dataset (from data.array, data.generator, ...)');
  if (args === undefined || args === null) fail('the second argument ({epochs, ...}) is required');
  if (!Number.isInteger(args.epochs) || args.epochs < 1) fail(`epochs must be a positive integer, got ${args.epochs}`);
  checkPositive(model, op, 'batchesPerEpoch', args.batchesPerEpoch);
  checkPositive(model, op, 'validationBatches', args.validationBatches);
  checkPositive(model, op, 'validationBatchSize', args.validationBatchSize);
  if ((args as { validationSplit?: number }).validationSplit !== undefined)
    fail('validationSplit is not supported by fitDataset (TF.js neither); pass validationData');
  const initialEpoch = args.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0)
    fail(`initialEpoch must be an integer >= 0, got ${initialEpoch}`);
  if (model.isTraining) fail('the model is already training (await the running fit first)');

  const vd = args.validationData;
  let valTensors: { xs: Tensor[]; ys: Tensor[] } | null = null;
  if (vd !== undefined && !isDataset(vd)) {
    if (!Array.isArray(vd) || vd.length !== 2)
      fail(
        `validationData must be a Dataset or [xVal, yVal]${Array.isArray(vd) && (vd as unknown[]).length === 3 ? ' (validation sample weights are not supported)' : ''}`,
      );
    ensureGraphFor(model, vd[0]);
    valTensors = checkData(`${op} (validationData)`, model, compiled.outputs(), vd[0], vd[1], true);
  }
  const doValidation = vd !== undefined;
  const outputs = compiled.outputs();
  if (args.classWeight !== undefined && outputs.length !== 1)
    fail('classWeight is only supported for single-output models');

  const verbose = args.verbose ?? 1;
  const names = compiled.metricsNames;
  const steps = args.batchesPerEpoch ?? (Number.isFinite(dataset.size) ? dataset.size : null);
  const { history, userCallbacks, callbacks } = fitCallbacks(model, args, {
    epochs: args.epochs,
    initialEpoch,
    steps,
    samples: null,
    batchSize: null,
    verbose,
    doValidation,
    metrics: doValidation ? [...names, ...names.map((m) => `val_${m}`)] : [...names],
  });

  const quietStop = userCallbacks.find((c): c is TerminateOnNaN => c instanceof TerminateOnNaN);
  let failure: Error | null = null;
  const nonFinite = (epoch: number, batch: number, what: string, value: number, where: string): void => {
    if (quietStop) quietStop.onNonFinite(epoch, batch, what, value);
    else failure = nonFiniteError(model.name, op, epoch, what, value, where);
  };
  const yieldEvery = args.yieldEvery ?? 'auto';
  const yieldMs =
    yieldEvery === 'auto' ? 100 : typeof yieldEvery === 'number' ? yieldEvery : yieldEvery === 'batch' ? 0 : Infinity;
  let lastYield = performance.now();
  let classTable: Tensor | null = null;
  let step: TrainStep | null = null;

  model.isTraining = true;
  model.stopTraining = false;
  model.history = history;
  try {
    await callbacks.onTrainBegin();
    let it = await dataset.iterator();
    for (let epoch = initialEpoch; epoch < args.epochs; epoch++) {
      await callbacks.onEpochBegin(epoch);
      if (args.batchesPerEpoch === undefined && epoch > initialEpoch) it = await dataset.iterator();
      compiled.resetMetrics();
      const totals = new EpochTotals(compiled);
      let b = 0;
      let ranOut = false;
      while (args.batchesPerEpoch === undefined || b < args.batchesPerEpoch) {
        const s = await it.next();
        if (s.done) {
          ranOut = args.batchesPerEpoch !== undefined;
          break;
        }
        let values: number[];
        let size: number;
        startScope();
        try {
          const { xs, ys } = batchOf(op, model, compiled, s.value);
          size = xs[0].shape[0];
          // Made on the first batch: the model's graph may wait for the data's shape.
          step ??= new TrainStep(model, compiled, op);
          if (args.classWeight !== undefined && classTable === null) {
            const spec = model.outputs[0].shape;
            if (spec.length > 2)
              fail(`classWeight needs a 2-D output ([batch, classes]), the output is [${spec.join(', ')}]`);
            classTable = classWeightTable(model, args.classWeight, outputs[0], spec[spec.length - 1]);
          }
          if (callbacks.wantsBatchHooks) await callbacks.onBatchBegin(b, { batch: b, size });
          const sw = classTable !== null ? [classWeightsFor(outputs[0], ys[0], classTable)] : null;
          values = step.run(xs, ys, sw);
        } catch (e) {
          if (!(e instanceof NonFiniteStepError)) throw e;
          nonFinite(epoch, b, e.what, e.value, `batch ${b + 1}`);
          break;
        } finally {
          endScope();
          for (const t of tensorsIn(s.value)) if (!t.isDisposed) t.dispose();
        }
        totals.add(values, size);
        if (callbacks.wantsBatchHooks) await callbacks.onBatchEnd(b, totals.batchLogs(b, size, values));
        b++;
        if (model.stopTraining) break;
        if (yieldMs !== Infinity && performance.now() - lastYield >= yieldMs) {
          await nextTick();
          lastYield = performance.now();
        }
      }
      if (failure !== null || (ranOut && b === 0)) break;
      if (ranOut)
        console.warn(
          `ferrite: ${model.name}: ${op}: the dataset ran out after ${b} batches of epoch ${epoch + 1} (batchesPerEpoch ${args.batchesPerEpoch}); training stops. Make the dataset yield batchesPerEpoch * epochs batches, with repeat() for example`,
        );
      if (b === 0 && !ranOut) fail(`the dataset gave no batch in epoch ${epoch + 1}`);
      const epochLogs = totals.epochLogs();
      if (doValidation && !ranOut) {
        const val =
          valTensors !== null
            ? evaluateInternal(model, compiled, valTensors.xs, valTensors.ys, args.validationBatchSize ?? 32)
            : (
                await evaluateStream(
                  `${op} (validationData)`,
                  model,
                  compiled,
                  await (vd as Dataset<unknown>).iterator(),
                  args.validationBatches,
                )
              ).values;
        names.forEach((name, i) => (epochLogs[`val_${name}`] = val[i]));
        if (!Number.isFinite(val[0]))
          nonFinite(epoch, b - 1, 'validation loss', val[0], 'in validation at the end of the epoch');
      }
      if (failure !== null) break;
      await callbacks.onEpochEnd(epoch, epochLogs);
      if (yieldEvery === 'epoch') await nextTick();
      if (model.stopTraining || ranOut) break;
    }
    await callbacks.onTrainEnd();
  } catch (e) {
    callbacks.release();
    throw e;
  } finally {
    model.isTraining = false;
    (classTable as Tensor | null)?.dispose();
  }
  if (failure !== null) throw failure;
  return history;
}
