// model.fit(): the training loop. The data stays in wasm memory for the whole run; each
// batch is drawn with one gather of shuffled row indices, trained in its own scope,
// and only the loss and metric scalars come back to JavaScript.

import { Tensor } from '../tensor/tensor.js';
import { endScope, keep, startScope } from '../tensor/scope.js';
import { tensor } from '../tensor/creation.js';
import { argMax, cast, gather, mul, reshape } from '../ops/index.js';
import { nextStream, randomState, restoreRandomState, setRandomSeed } from '../ops/random.js';
import { permutation } from '../data/shuffle.js';
import type { TrainableModel } from './trainable-model.js';
import {
  BaseCallback,
  CallbackList,
  History,
  standardizeCallbacks,
  type CallbackIdentifier,
  type CallbackParams,
  type Logs,
} from './callbacks.js';
import type { CompiledOutput, CompiledState } from './compile.js';
import { checkData, ensureGraphFor, type ModelData } from './data-checks.js';
import { checkBatchSize, evaluateInternal, sliceRows } from './evaluate.js';
import { ProgressLogger, type ProgressSink } from './progress.js';
import { TrainStep } from './train-step.js';
import { NonFiniteStepError } from './finite.js';
import { TerminateOnNaN } from './terminate-on-nan.js';

/**
 * Weight of each class in the loss, by class index: `{0: 1, 1: 5}`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })] });
 * m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
 * const x = fe.tensor2d([[0, 1], [1, 0], [1, 1]]);
 * await m.fit(x, fe.tensor1d([0, 0, 1]), { epochs: 2, verbose: 0, classWeight: { 0: 1, 1: 2 } }); // class 1 counts twice
 * ```
 */
export type ClassWeight = Record<number, number>;

/** fit's options that are plain data, the same for `model.fit` and for training in a worker. */
export interface FitOptions {
  /** Samples per gradient update. Default 32. */
  batchSize?: number;
  /** Number of passes over the data (counting from initialEpoch). Default 1. */
  epochs?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Fraction of the samples (the last ones, before shuffling) held out for validation. */
  validationSplit?: number;
  /** Batch size for validation. Default batchSize. */
  validationBatchSize?: number;
  /** Validate every n epochs. Default 1. */
  validationFreq?: number;
  /** Reshuffle the training samples every epoch. Default true. */
  shuffle?: boolean;
  /** Epoch to start counting from (to resume a run). Default 0. */
  initialEpoch?: number;
  /** Weights of the classes in the loss (single-output models). */
  classWeight?: ClassWeight;
  /**
   * How often fit lets the event loop run (so pages stay responsive, timers fire, and a
   * training worker reads its messages): 'auto' about every 100 ms, 'batch', 'epoch',
   * 'never', or a number of milliseconds.
   */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
  /**
   * Seeds this run's randomness (shuffle order, dropout masks): the same seed, weights
   * and data train to the same weights. The global stream (`setRandomSeed`) is left where
   * it was. Default: draw from the global stream.
   */
  seed?: number | string;
  /**
   * Batches per epoch (Keras's steps_per_epoch). The batches come from one stream of
   * passes over the data (each pass reshuffled, its last batch possibly smaller) that
   * continues across epochs: an epoch shorter than a pass leaves the rest of the pass to
   * the next epoch, and a longer one runs on into the next pass. Default: one pass.
   */
  stepsPerEpoch?: number;
  /** Validation batches evaluated per epoch (the first ones of the validation data). Default: all. */
  validationSteps?: number;
}

/** Every key of FitOptions (the type makes a key added there and forgotten here an error). */
const FIT_OPTION_KEYS: Record<keyof FitOptions, true> = {
  batchSize: true,
  epochs: true,
  verbose: true,
  validationSplit: true,
  validationBatchSize: true,
  validationFreq: true,
  shuffle: true,
  initialEpoch: true,
  classWeight: true,
  yieldEvery: true,
  seed: true,
  stepsPerEpoch: true,
  validationSteps: true,
};

/** The FitOptions in `args` that are set, and nothing else (what may be sent to a worker). */
export function pickFitOptions(args: FitOptions): FitOptions {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(FIT_OPTION_KEYS) as (keyof FitOptions)[]) if (args[k] !== undefined) out[k] = args[k];
  return out as FitOptions;
}

/**
 * The options of `model.fit` (TF.js's ModelFitArgs).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const history = await m.fit(x, x, { epochs: 10, batchSize: 2, validationSplit: 0.25, shuffle: true, verbose: 0 });
 * Object.keys(history.history); // ['loss', 'val_loss']
 * ```
 */
export interface ModelFitArgs extends FitOptions {
  /**
   * Called during training: callback objects (`callbacks.earlyStopping(...)`) or objects of hook functions (`{onEpochEnd}`).
   */
  callbacks?: CallbackIdentifier | CallbackIdentifier[];
  /** [xVal, yVal], evaluated at the end of each epoch (takes precedence over validationSplit). */
  validationData?: [ModelData, ModelData];
  /** Where verbose output goes (default: stdout in Node, the console in browsers). */
  progressSink?: ProgressSink;
  /**
   * Keras's sample_weight: each training sample's weight in the loss, a [samples] tensor
   * (for every output) or one per output. Multiplies classWeight's weights when both are
   * given; with validationSplit the held-out samples' weights are dropped. Main-thread fit
   * only (the worker's fit takes no tensors).
   */
  sampleWeight?: Tensor | Tensor[];
}

/** The sample weights as float32 [n] copies, one per output, checked; each is pushed to `owned`. */
function checkSampleWeights(
  model: string,
  sw: Tensor | Tensor[],
  outputs: number,
  n: number,
  owned: Tensor[],
): Tensor[] {
  const list = Array.isArray(sw) ? sw : Array.from({ length: outputs }, () => sw);
  if (list.length !== outputs)
    throw new Error(
      `ferrite: ${model}: fit: sampleWeight has ${list.length} entries, the model has ${outputs} outputs`,
    );
  return list.map((t, k) => {
    if (!(t instanceof Tensor)) throw new Error(`ferrite: ${model}: fit: sampleWeight[${k}] must be a Tensor`);
    t.assertAlive(`${model}: fit: sampleWeight[${k}]`);
    if (t.rank !== 1 || t.shape[0] !== n)
      throw new Error(
        `ferrite: ${model}: fit: sampleWeight[${k}] must have shape [${n}] (one weight per sample), got [${t.shape.join(', ')}]`,
      );
    const w = keep(cast(t, 'float32')); // a copy: the caller's tensor stays theirs
    const values = w.dataSync();
    const bad = values.findIndex((v) => !(v >= 0 && v < Infinity));
    if (bad >= 0) {
      w.dispose();
      throw new Error(`ferrite: ${model}: fit: sampleWeight[${k}][${bad}] must be finite and >= 0, got ${values[bad]}`);
    }
    owned.push(w);
    return w;
  });
}

/** Lets the event loop run (timers, I/O, a worker's messages). */
export const nextTick = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * A random order of the n samples for one epoch. Seeded from the global random stream
 * (ops/random.ts), so `setRandomSeed` makes whole training runs replay exactly.
 */
function shuffledOrder(n: number): Int32Array {
  const [k0, k1, stream] = nextStream('fit (shuffle)');
  return permutation(n, k0 ^ Math.imul(k1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b));
}

/** Per-sample loss weights from class weights: the weight of each sample's class. */
export function classWeightsFor(out: CompiledOutput, y: Tensor, table: Tensor): Tensor {
  let classes: Tensor;
  if (out.sparseLabels) classes = y.dtype === 'int32' ? reshape(y, [y.size]) : cast(reshape(y, [y.size]), 'int32');
  else if (y.shape[y.rank - 1] > 1) classes = reshape(argMax(y, -1), [y.shape[0]]);
  else classes = cast(reshape(y, [y.shape[0]]), 'int32');
  return gather(table, classes);
}

export function classWeightTable(
  model: TrainableModel,
  cw: ClassWeight,
  out: CompiledOutput,
  ySpecLast: number | null,
): Tensor {
  const keys = Object.keys(cw).map(Number);
  for (const k of keys) {
    if (!Number.isInteger(k) || k < 0)
      throw new Error(`ferrite: ${model.name}: fit: classWeight keys must be class indices >= 0, got '${k}'`);
    if (!(cw[k] >= 0))
      throw new Error(`ferrite: ${model.name}: fit: classWeight[${k}] must be a number >= 0, got ${cw[k]}`);
  }
  const numClasses = Math.max(
    out.sparseLabels || (ySpecLast ?? 1) > 1 ? (ySpecLast ?? 0) : 2,
    ...keys.map((k) => k + 1),
  );
  const w = new Float32Array(numClasses).fill(1);
  for (const k of keys) w[k] = cw[k];
  return keep(tensor(w, [numClasses]));
}

/**
 * Checks fit's plain options and returns them with their defaults. Shared by `model.fit`
 * and the background trainer, which checks before it transfers any data to its worker.
 */
export function checkFitOptions(
  modelName: string,
  args: FitOptions,
): {
  batchSize: number;
  epochs: number;
  initialEpoch: number;
  verbose: number;
  validationFreq: number;
  split: number;
  stepsPerEpoch: number | null;
  validationSteps: number | null;
} {
  const fail = (what: string): never => {
    throw new Error(`ferrite: ${modelName}: fit: ${what}`);
  };
  const batchSize = args.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(`batchSize must be a positive integer, got ${batchSize}`);
  const epochs = args.epochs ?? 1;
  const initialEpoch = args.initialEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 0) fail(`epochs must be an integer >= 0, got ${epochs}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0)
    fail(`initialEpoch must be an integer >= 0, got ${initialEpoch}`);
  const verbose = args.verbose ?? 1;
  const validationFreq = args.validationFreq ?? 1;
  if (!Number.isInteger(validationFreq) || validationFreq < 1) fail('validationFreq must be a positive integer');
  if (args.seed !== undefined && typeof args.seed !== 'string' && !Number.isSafeInteger(args.seed))
    fail(`seed must be an integer or a string, got ${String(args.seed)}`);
  const split = args.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) fail(`validationSplit must be in [0, 1), got ${split}`);
  const positive = (name: 'stepsPerEpoch' | 'validationSteps'): number | null => {
    const v = args[name];
    if (v === undefined || v === null) return null;
    if (!Number.isInteger(v) || v < 1) fail(`${name} must be a positive integer, got ${String(v)}`);
    return v;
  };
  const stepsPerEpoch = positive('stepsPerEpoch');
  const validationSteps = positive('validationSteps');
  return { batchSize, epochs, initialEpoch, verbose, validationFreq, split, stepsPerEpoch, validationSteps };
}

/** An epoch's running totals: sample-weighted loss sums; the metrics keep their own counts. */
export class EpochTotals {
  private readonly lossSums: Float64Array;
  private seen = 0;

  constructor(private readonly compiled: CompiledState) {
    this.lossSums = new Float64Array(compiled.numLossValues);
  }

  /** Adds one batch's values (named by metricsNames) of `size` samples. */
  add(values: number[], size: number): void {
    for (let i = 0; i < this.lossSums.length; i++) this.lossSums[i] += values[i] * size;
    this.seen += size;
  }

  /** A batch's logs for onBatchEnd. */
  batchLogs(batch: number, size: number, values: number[]): Logs {
    const logs: Logs = { batch, size };
    this.compiled.metricsNames.forEach((name, i) => (logs[name] = values[i]));
    return logs;
  }

  /** The epoch's logs: mean losses over its samples, then each metric over the epoch. */
  epochLogs(): Logs {
    const names = this.compiled.metricsNames;
    const logs: Logs = {};
    this.lossSums.forEach((sum, i) => (logs[names[i]] = this.seen > 0 ? sum / this.seen : NaN));
    let mi = this.lossSums.length;
    for (const o of this.compiled.outputs()) for (const m of o.metrics) logs[names[mi++]] = m.metric.result();
    return logs;
  }
}

/**
 * fit's callbacks, in order: the History, the progress output (verbose > 0), then the
 * user's; attached to the model and told the run's parameters.
 */
export function fitCallbacks(
  model: TrainableModel,
  args: { callbacks?: CallbackIdentifier | CallbackIdentifier[]; progressSink?: ProgressSink },
  params: CallbackParams,
): { history: History; userCallbacks: BaseCallback[]; callbacks: CallbackList } {
  const history = new History();
  const userCallbacks = standardizeCallbacks(args.callbacks);
  const all: BaseCallback[] = [history];
  if (params.verbose > 0) all.push(new ProgressLogger(params.verbose, args.progressSink));
  all.push(...userCallbacks);
  const callbacks = new CallbackList(all);
  callbacks.setModel(model);
  callbacks.setParams(params);
  return { history, userCallbacks, callbacks };
}

/** The error that ends fit (or fitDataset) at a non-finite loss or gradient. */
export function nonFiniteError(model: string, op: string, epoch: number, what: string, value: number, where: string) {
  // An update is refused before it is stored: its value is not known, only that it is not finite.
  const became = what.startsWith('update of ') ? 'would become NaN or Infinity' : `became ${value}`;
  return new Error(
    `ferrite: ${model}: ${op}: the ${what} ${became} at epoch ${epoch + 1}, ${where}; training stopped ` +
      'with the weights of the last finite step (the refused step changed nothing). ' +
      'Try a lower learning rate, check the data for extreme values, or normalize the inputs.',
  );
}

export async function fitModel(
  model: TrainableModel,
  compiled: CompiledState,
  x: ModelData,
  y: ModelData,
  args: ModelFitArgs = {},
): Promise<History> {
  const op = 'fit';
  if (model.isTraining)
    throw new Error(`ferrite: ${model.name}: fit: the model is already training (await the running fit first)`);
  const { batchSize, epochs, initialEpoch, verbose, validationFreq, split, stepsPerEpoch, validationSteps } =
    checkFitOptions(model.name, args);

  ensureGraphFor(model, x);
  const outputs = compiled.outputs();
  const data = checkData(op, model, outputs, x, y, true);
  let { xs, ys } = data;
  const total = data.n;

  // Tensors this function makes and must free: split data, the class weight table, sample weights.
  const owned: Tensor[] = [];
  try {
    let sampleWeights: Tensor[] | null = null;
    if (args.sampleWeight !== undefined) {
      sampleWeights = checkSampleWeights(model.name, args.sampleWeight, outputs.length, total, owned);
    }
    let valXs: Tensor[] | null = null;
    let valYs: Tensor[] | null = null;
    if (args.validationData !== undefined) {
      const vd = args.validationData;
      if (!Array.isArray(vd) || vd.length !== 2) {
        throw new Error(
          `ferrite: ${model.name}: fit: validationData must be [xVal, yVal]${Array.isArray(vd) && (vd as unknown[]).length === 3 ? ' (validation sample weights are not supported)' : ''}`,
        );
      }
      const val = checkData(`${op} (validationData)`, model, outputs, vd[0], vd[1], true);
      if (val.n === 0) throw new Error(`ferrite: ${model.name}: fit: validationData has no samples`);
      valXs = val.xs;
      valYs = val.ys;
    } else if (split > 0) {
      const at = Math.floor(total * (1 - split));
      if (at === 0 || at === total) {
        throw new Error(
          `ferrite: ${model.name}: fit: validationSplit ${split} of ${total} samples leaves ${at === 0 ? 'no training' : 'no validation'} samples`,
        );
      }
      const cut = (ts: Tensor[], from: number, count: number) =>
        ts.map((t) => {
          const part = keep(sliceRows(t, from, count));
          owned.push(part);
          return part;
        });
      valXs = cut(xs, at, total - at);
      valYs = cut(ys, at, total - at);
      xs = cut(xs, 0, at);
      ys = cut(ys, 0, at);
      if (sampleWeights !== null) sampleWeights = cut(sampleWeights, 0, at);
    }
    const n = xs[0].shape[0];
    if (n === 0) throw new Error(`ferrite: ${model.name}: fit: x has no samples`);
    const doValidation = valXs !== null;
    const valBatchSize = args.validationBatchSize ?? batchSize;
    if (validationSteps !== null) {
      if (!doValidation)
        throw new Error(`ferrite: ${model.name}: fit: validationSteps needs validationData or validationSplit`);
      // The first validationSteps batches: the same rows every epoch, as Keras evaluates them.
      const rows = Math.min(valXs![0].shape[0], validationSteps * valBatchSize);
      const head = (ts: Tensor[]) =>
        ts.map((t) => {
          const part = sliceRows(t, 0, rows);
          if (part !== t) owned.push(keep(part));
          return part;
        });
      valXs = head(valXs!);
      valYs = head(valYs!);
    }

    let classTable: Tensor | null = null;
    if (args.classWeight !== undefined) {
      if (outputs.length !== 1)
        throw new Error(`ferrite: ${model.name}: fit: classWeight is only supported for single-output models`);
      const spec = model.outputs[0].shape;
      if (spec.length > 2)
        throw new Error(
          `ferrite: ${model.name}: fit: classWeight needs a 2-D output ([batch, classes]), the output is [${spec.join(', ')}]`,
        );
      classTable = classWeightTable(model, args.classWeight, outputs[0], spec[spec.length - 1]);
      owned.push(classTable);
    }

    const batchesPerPass = Math.ceil(n / batchSize);
    const steps = stepsPerEpoch ?? batchesPerPass;
    const names = compiled.metricsNames;
    const { history, userCallbacks, callbacks } = fitCallbacks(model, args, {
      epochs,
      initialEpoch,
      steps,
      samples: n,
      batchSize,
      verbose,
      doValidation,
      metrics: doValidation ? [...names, ...names.map((m) => `val_${m}`)] : [...names],
    });

    const step = new TrainStep(model, compiled, op);
    const quietStop = userCallbacks.find((c): c is TerminateOnNaN => c instanceof TerminateOnNaN);
    // A refused step (non-finite loss or gradients) or a non-finite validation loss: fit
    // ends with this error after onTrainEnd, unless TerminateOnNaN asks for a quiet stop.
    let failure: Error | null = null;
    const nonFinite = (epoch: number, batch: number, what: string, value: number, where: string): void => {
      if (quietStop) {
        quietStop.onNonFinite(epoch, batch, what, value);
        return;
      }
      failure = nonFiniteError(model.name, op, epoch, what, value, where);
    };
    const inOrder = Int32Array.from({ length: n }, (_, i) => i);
    const yieldEvery = args.yieldEvery ?? 'auto';
    const yieldMs =
      yieldEvery === 'auto' ? 100 : typeof yieldEvery === 'number' ? yieldEvery : yieldEvery === 'batch' ? 0 : Infinity;
    let lastYield = performance.now();
    // The stream of batches: pass `order`, batch `passBatch` of it. Without stepsPerEpoch
    // every epoch is exactly one pass; with it, the stream continues across epochs.
    let order: Int32Array = inOrder;
    let passBatch = batchesPerPass;

    model.isTraining = true;
    model.stopTraining = false;
    model.history = history;
    const savedRandom = args.seed !== undefined ? randomState() : null;
    if (args.seed !== undefined) setRandomSeed(args.seed);
    try {
      await callbacks.onTrainBegin();
      for (let epoch = initialEpoch; epoch < epochs; epoch++) {
        await callbacks.onEpochBegin(epoch);
        if (stepsPerEpoch === null) passBatch = batchesPerPass;
        compiled.resetMetrics();
        const totals = new EpochTotals(compiled);
        for (let b = 0; b < steps; b++) {
          if (passBatch === batchesPerPass) {
            order = (args.shuffle ?? true) ? shuffledOrder(n) : inOrder;
            passBatch = 0;
          }
          const start = passBatch++ * batchSize;
          const size = Math.min(batchSize, n - start);
          if (callbacks.wantsBatchHooks) await callbacks.onBatchBegin(b, { batch: b, size });
          let values: number[];
          startScope();
          try {
            const idx = tensor(order.subarray(start, start + size), [size], 'int32');
            const xb = xs.map((t) => gather(t, idx));
            const yb = ys.map((t) => gather(t, idx));
            let sw = sampleWeights !== null ? sampleWeights.map((t) => gather(t, idx)) : null;
            if (classTable !== null) {
              const cw = classWeightsFor(outputs[0], yb[0], classTable);
              sw = sw === null ? [cw] : [mul(cw, sw[0]), ...sw.slice(1)];
            }
            values = step.run(xb, yb, sw);
          } catch (e) {
            if (!(e instanceof NonFiniteStepError)) throw e;
            nonFinite(epoch, b, e.what, e.value, `batch ${b + 1} of ${steps}`);
            break;
          } finally {
            endScope();
          }
          totals.add(values, size);
          if (callbacks.wantsBatchHooks) await callbacks.onBatchEnd(b, totals.batchLogs(b, size, values));
          if (model.stopTraining) break;
          if (yieldMs !== Infinity && performance.now() - lastYield >= yieldMs) {
            await nextTick();
            lastYield = performance.now();
          }
        }
        if (failure !== null) break;
        // Losses: sample-weighted means over the batches; metrics: over the epoch's counts.
        const epochLogs = totals.epochLogs();
        if (doValidation && (epoch + 1 - initialEpoch) % validationFreq === 0) {
          const val = evaluateInternal(model, compiled, valXs!, valYs!, valBatchSize);
          names.forEach((name, i) => (epochLogs[`val_${name}`] = val[i]));
          if (!Number.isFinite(val[0]) && failure === null)
            nonFinite(epoch, steps - 1, 'validation loss', val[0], 'in validation at the end of the epoch');
        }
        if (failure !== null) break;
        await callbacks.onEpochEnd(epoch, epochLogs);
        if (yieldEvery === 'epoch') await nextTick();
        if (model.stopTraining) break;
      }
      await callbacks.onTrainEnd();
    } catch (e) {
      callbacks.release();
      throw e;
    } finally {
      model.isTraining = false;
      if (savedRandom !== null) restoreRandomState(savedRandom);
    }
    if (failure !== null) throw failure;
    return history;
  } finally {
    for (const t of owned) t.dispose();
  }
}
