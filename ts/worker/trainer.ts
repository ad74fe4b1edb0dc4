// Background training, the caller's side: `worker.create(model)` starts a worker holding
// a copy of the model and returns a Trainer, a handle with the model's training API
// (fit, evaluate, predict, getWeights) where every call is async, data moves to the
// worker by transfer, and fit's callbacks run here with plain numbers.

import * as Comlink from 'comlink';
import { ready } from '../backend/engine.js';
import { isNode, wasmUrls } from '../backend/wasm-files.js';
import type { BuildName } from '../backend/wasm-files.js';
import type { Tensor } from '../tensor/tensor.js';
import { LayersModel } from '../models/index.js';
import { deserialize } from '../serialization/registry.js';
import { BaseCallback, type CallbackParams, type CustomCallbackArgs } from '../training/callbacks.js';
import { EarlyStopping } from '../training/early-stopping.js';
import { pickFitOptions, type FitOptions } from '../training/fit.js';
import type { ModelEvaluateDatasetArgs, ModelFitDatasetArgs } from '../training/fit-dataset.js';
import type { Dataset } from '../data/dataset.js';
import { BatchStreamer, type CallerStreamStats, type StreamSpec } from './stream.js';
import { preflightFit } from './preflight.js';
import { ResidentData, type ResidentStats, type WireData } from './resident.js';
import { TerminateOnNaN } from '../training/terminate-on-nan.js';
import {
  compileArgsFromSpec,
  compileSpecFromArgs,
  compileSpecFromModel,
  type CompileSpec,
  type WorkerCompileArgs,
} from './compile-spec.js';
import { spawnWorker, toUrl, type ResourceLimits, type WorkerConnection } from './connection.js';
import { HookDispatcher } from './events.js';
import { unpackStepResult } from './custom-step.js';
import {
  HOOK_NAMES,
  type CallbackSpec,
  type CrashMode,
  type FitDatasetPayload,
  type HistoryData,
  type HookName,
  type InitOptions,
  type ModelInfo,
  type ModelPayload,
  type StreamSource,
  type WireFitDatasetOptions,
  type WireFitOptions,
  type WorkerInfo,
  type WorkerStreamStats,
} from './protocol.js';
import {
  TransferList,
  dataList,
  packTensor,
  packTensors,
  unpackTensor,
  type DataInput,
  type WireTensor,
} from './wire.js';

/**
 * Data for the model's inputs or outputs: one entry, one per input / output in order, by
 * name, or data already held in the worker (`putData`).
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [2], name: 'features' });
 * const m = fe.model({ inputs: x, outputs: fe.layers.dense({ units: 1 }).apply(x) as fe.SymbolicTensor });
 * const trainer = await fe.worker.create(m);
 * await trainer.predict({ features: fe.ones([1, 2]) }); // by input name; or a list, or one tensor
 * trainer.terminate();
 * ```
 */
export type ModelInputs = DataInput | DataInput[] | Record<string, DataInput> | ResidentData;

/** A model as data: its class name ('Sequential' or 'Model') and `getConfig()`, with optional weights. */
export interface ModelConfig {
  /** 'Sequential' or 'Model'. */
  className: string;
  /** The model's `getConfig()`. */
  config: Record<string, unknown>;
  /** Values for `model.weights`, in order; default: the initializers' values. */
  weights?: DataInput[];
}

/** Options of `worker.create`. */
export interface CreateOptions {
  /**
   * How to compile the model in the worker: `model.compile`'s arguments, with losses and
   * metrics by name. Default: the settings the model was compiled with (a fresh optimizer
   * of the same class and config).
   */
  compile?: WorkerCompileArgs;
  /**
   * The build the worker runs. Default: the best the worker can run, as in the page:
   * 'simd-threads-relaxed' or 'simd-threads' where threads are allowed (Node; a
   * cross-origin-isolated page), else 'simd-relaxed' or 'simd' (relaxed where the runtime validates it).
   */
  backend?: BuildName;
  /** Threads of the threaded build (default: hardware concurrency). */
  threads?: number;
  /** URL (or, in Node, path) of the worker script. Default: `worker.mjs` beside the package's JavaScript. */
  workerUrl?: string | URL;
  /**
   * Where the worker finds the .wasm files (a folder, as `setWasmPaths`). Default in
   * browsers: where this thread loads them from, so a bundler's renamed files are found.
   */
  wasmPaths?: string | URL;
  /** Milliseconds the worker may take to start. Default 60,000. */
  loadTimeout?: number;
  /**
   * More models for a step module (`trainer.loadStep`), by name: each moves into the worker
   * as the trainer's model does (config, weights, and compile settings if compiled with
   * built-in names), and the module's functions find it in `ctx.models[name]`.
   *
   * @example
   * ```ts no-run
   * const generator = fe.sequential({ layers: [fe.layers.dense({ units: 784, activation: 'tanh', inputShape: [100] })] });
   * const discriminator = fe.sequential({ layers: [fe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [784] })] });
   * const trainer = await fe.worker.create(generator, { models: { d: discriminator } });
   * await trainer.loadStep('./gan-step.js'); // its step trains ctx.model and ctx.models.d
   * ```
   */
  models?: Record<string, LayersModel | ModelConfig>;
  /**
   * Node only: limits of the worker's JS heap (worker_threads' `resourceLimits`). A worker
   * that reaches them is stopped by Node, and every pending call rejects saying so. Wasm
   * memory is not counted here: bound it with `setMaxMemory`.
   */
  resourceLimits?: ResourceLimits;
  /**
   * Warm the worker's kernels up before `create` resolves (see `warmUp`): `true` for the
   * default budget (400 ms), or a number of milliseconds. Default: none.
   */
  warmUp?: boolean | number;
}

/**
 * A callback for background training: an object of hooks, a callback object, or an EarlyStopping (which runs in the worker).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer = await fe.worker.create(m);
 * const x = fe.tensor2d([[1], [2]]);
 * await trainer.fit(x, x, { epochs: 50, callbacks: [{ onEpochEnd: () => {} }, fe.callbacks.earlyStopping({ monitor: 'loss' })] });
 * trainer.terminate();
 * ```
 */
export type BackgroundCallback = CustomCallbackArgs | BaseCallback;

/**
 * `fit`'s options, as `model.fit` takes them but for the data (typed arrays too) and the
 * callbacks (which run in this thread); hooks may also be given directly (`onEpochEnd: ...`).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer = await fe.worker.create(m);
 * const x = fe.tensor2d([[1], [2], [3]]);
 * await trainer.fit(x, x, { epochs: 2, batchSize: 1, validationData: [x, x], onBatchEnd: (b, logs) => {}, batchCallbackInterval: 100 });
 * trainer.terminate();
 * ```
 */
export interface BackgroundFitArgs extends FitOptions, CustomCallbackArgs {
  /** Keras-style progress printed by the worker (Node: to stdout; browsers: the console). Default 0. */
  verbose?: 0 | 1 | 2;
  /** Callback objects run in this thread as events arrive. */
  callbacks?: BackgroundCallback | BackgroundCallback[];
  /** [xVal, yVal], evaluated at the end of each epoch (takes precedence over validationSplit). */
  validationData?: [ModelInputs, ModelInputs];
  /**
   * Batch hooks (onBatchBegin / onBatchEnd) run for every batch, in order, but arrive in
   * bursts at most this often (ms), so training never waits on this thread. Default 50.
   */
  batchCallbackInterval?: number;
}

/**
 * `fitDataset`'s options: `model.fitDataset`'s (TF.js's ModelFitDatasetArgs) but for
 * callbacks, which run in this thread as with `fit`, and validation data, which may be a
 * Dataset (streamed like the training data) or `[xVal, yVal]` sent once.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer = await fe.worker.create(m);
 * const ds = fe.data.array([{ xs: [1], ys: [2] }, { xs: [2], ys: [4] }]).batch(1).repeat();
 * await trainer.fitDataset(ds, { epochs: 3, batchesPerEpoch: 2, validationData: ds, validationBatches: 2, onEpochEnd: (e, logs) => {} });
 * trainer.terminate();
 * ```
 */
export interface BackgroundFitDatasetArgs
  extends Omit<ModelFitDatasetArgs, 'callbacks' | 'validationData' | 'progressSink'>, CustomCallbackArgs {
  /** Callback objects run in this thread as events arrive (as `fit`'s). */
  callbacks?: BackgroundCallback | BackgroundCallback[];
  /** A Dataset of batches (streamed), or [xVal, yVal] sent once, evaluated at the end of each epoch. */
  validationData?: Dataset<unknown> | [ModelInputs, ModelInputs];
  /** As `fit`'s: batch hooks arrive in bursts at most this often (ms). Default 50. */
  batchCallbackInterval?: number;
  /**
   * Batches of each pass sent ahead of training (pulled, sent, not yet trained on): the
   * bound on the data in flight, in this thread and the worker. Default 4.
   */
  prefetch?: number;
}

/**
 * `evaluateDataset`'s options: `model.evaluateDataset`'s, and how many batches to send ahead.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer = await fe.worker.create(m);
 * await trainer.evaluateDataset(fe.data.array([{ xs: [1], ys: [1] }]).batch(1), { batches: 1, prefetch: 2 });
 * trainer.terminate();
 * ```
 */
export interface BackgroundEvaluateDatasetArgs extends Omit<ModelEvaluateDatasetArgs, 'progressSink'> {
  /** Batches sent ahead of the worker's evaluation. Default 4. */
  prefetch?: number;
}

export { type HistoryData } from './protocol.js';

const WHO = 'ferrite: background trainer';

/** The stop flag the worker reads between batches: shared memory where it may be posted (Node; cross-origin-isolated pages). */
function sharedStopFlag(): Int32Array | undefined {
  if (typeof SharedArrayBuffer !== 'function') return undefined;
  if (!isNode && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) return undefined;
  return new Int32Array(new SharedArrayBuffer(4));
}

/** Tensors are made in this thread's current build; in browsers it must be loaded first. */
async function toTensors(ws: WireTensor[]): Promise<Tensor[]> {
  await ready();
  return ws.map(unpackTensor);
}

function isEarlyStopping(c: unknown): c is EarlyStopping {
  return c instanceof EarlyStopping;
}

/** The hooks a callback object defines (for a BaseCallback, those it overrides). */
function hooksOf(c: BackgroundCallback): HookName[] {
  const obj = c as unknown as Record<string, unknown>;
  if (c instanceof BaseCallback) {
    const base = BaseCallback.prototype as unknown as Record<string, unknown>;
    const batch = c.wantsBatchHooks();
    // onTrainBegin always goes, to hand the callback fit's params.
    return HOOK_NAMES.filter(
      (h) => h === 'onTrainBegin' || (obj[h] !== base[h] && (batch || (h !== 'onBatchBegin' && h !== 'onBatchEnd'))),
    );
  }
  return HOOK_NAMES.filter((h) => typeof obj[h] === 'function');
}

/**
 * A model training in a worker. Made by `worker.create`. Every method is async; fit,
 * evaluate and predict take Tensors or `{data, shape}` typed arrays (whose buffers are
 * transferred), and results come back as Tensors in this thread.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer: fe.worker.Trainer = await fe.worker.create(m);
 * trainer.metricsNames; // ['loss']
 * trainer.terminate();
 * ```
 */
export class Trainer {
  /** The build the worker runs: 'simd-threads', 'simd', 'scalar' or a relaxed variant ('simd-threads-relaxed', 'simd-relaxed'). */
  readonly backend: BuildName;
  /** Threads the worker's kernels use. */
  readonly threads: number;
  /** Whether the worker is cross-origin isolated (browsers; false in Node). */
  readonly crossOriginIsolated: boolean;
  /** The model's name in the worker. */
  readonly name: string;
  /** What fit logs and evaluate returns: 'loss', then the metrics. */
  readonly metricsNames: string[];
  private readonly numOutputs: number;
  private readonly modelInfo: ModelInfo;
  private running: { token: number; done: Promise<void>; hooks: HookDispatcher } | null = null;
  private nextToken = 1;
  /** Data held in the worker for this trainer, freed on terminate. */
  private readonly residentData = new Set<ResidentData>();
  /** What the last fitDataset / evaluateDataset pulled and sent (live while it runs; streamStats reads it). */
  private lastStreamStats: CallerStreamStats | null = null;

  /** Use `worker.create()`. */
  constructor(
    private readonly conn: WorkerConnection,
    info: WorkerInfo,
    model: ModelInfo,
    private readonly compileSpec: CompileSpec | null,
    private readonly stopFlag: Int32Array | undefined,
  ) {
    this.modelInfo = model;
    this.backend = info.backend;
    this.threads = info.threads;
    this.crossOriginIsolated = info.crossOriginIsolated;
    this.name = model.name;
    this.metricsNames = model.metricsNames;
    this.numOutputs = model.numOutputs;
  }

  /** x or y as one entry or a list in the model's order (name-keyed maps resolved), or resident data. */
  private list(op: string, what: 'x' | 'y', v: ModelInputs): DataInput | DataInput[] | ResidentData {
    if (v instanceof ResidentData) {
      v.check(`${WHO}: ${op}: ${what}`, this, this.isTerminated);
      return v;
    }
    const info = this.modelInfo;
    const names = what === 'x' ? info.inputNames : (info.outputs?.map((o) => o.name) ?? null);
    return dataList(info.name, op, what, names, v);
  }

  /** True while a fit runs. */
  get isTraining(): boolean {
    return this.running !== null;
  }

  /** True once the worker is gone (terminated or failed); every call then rejects. */
  get isTerminated(): boolean {
    return this.conn.failed;
  }

  private requireCompiled(op: string): void {
    if (this.compileSpec === null) {
      throw new Error(
        `${WHO}: ${op}: the model is not compiled; pass {compile: {optimizer, loss, metrics}} to worker.create() (or compile the model before)`,
      );
    }
  }

  /**
   * Trains in the worker; resolves to the History as plain data once training ends (all
   * epochs, a `stop()`, or an EarlyStopping). Hooks run in this thread with plain numbers.
   * x, y and validationData are transferred: typed arrays are left empty here.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const trainer = await fe.worker.create(m);
   * const xs = { data: new Float32Array([1, 2, 3, 4]), shape: [4, 1] }; // transferred to the worker
   * const h = await trainer.fit(xs, { data: new Float32Array([2, 4, 6, 8]), shape: [4, 1] }, { epochs: 3, batchSize: 2 });
   * h.history.loss.length; // 3
   * trainer.terminate();
   * ```
   */
  async fit(x: ModelInputs, y: ModelInputs, args: BackgroundFitArgs = {}): Promise<HistoryData> {
    const { sets, specs, interval } = this.beginFit('fit', args);

    // Everything the worker would refuse before training, checked before any array moves.
    let vd: [DataInput | DataInput[] | ResidentData, DataInput | DataInput[] | ResidentData] | undefined;
    if (args.validationData !== undefined) {
      const v = args.validationData;
      if (!Array.isArray(v) || v.length !== 2) throw new Error(`${WHO}: fit: validationData must be [xVal, yVal]`);
      vd = [this.list('fit', 'x', v[0]), this.list('fit', 'y', v[1])];
    }
    const [xs, ys] = [this.list('fit', 'x', x), this.list('fit', 'y', y)];
    preflightFit(this.modelInfo, xs, ys, vd, args);
    const transfers = new TransferList();
    const payload = {
      x: packData('fit: x', xs, transfers),
      y: packData('fit: y', ys, transfers),
      validationData: undefined as [WireData, WireData] | undefined,
    };
    if (vd !== undefined)
      payload.validationData = [
        packData('fit: validationData[0]', vd[0], transfers),
        packData('fit: validationData[1]', vd[1], transfers),
      ];
    return this.runFit(sets, (token, port) => {
      const opts: WireFitOptions = { ...pickFitOptions(args), token, callbacks: specs, batchEventInterval: interval };
      return this.conn.call('trainer.fit()', (api) => api.fit(Comlink.transfer(payload, transfers.list), opts, port));
    });
  }

  /** The checks every fit starts with, and its callbacks: hook sets run here, specs for the worker. */
  private beginFit(
    op: string,
    args: CustomCallbackArgs & {
      callbacks?: BackgroundCallback | BackgroundCallback[];
      batchCallbackInterval?: number;
    },
  ): { sets: CustomCallbackArgs[]; specs: CallbackSpec[]; interval: number } {
    this.requireCompiled(op);
    if (this.running !== null)
      throw new Error(`${WHO}: ${op}: already training (await the running fit, or stop() it, first)`);
    if ((args as { progressSink?: unknown }).progressSink !== undefined)
      throw new Error(`${WHO}: ${op}: progressSink cannot run in a worker; use callbacks`);
    const interval = args.batchCallbackInterval ?? 50;
    if (!(interval >= 0))
      throw new Error(`${WHO}: ${op}: batchCallbackInterval must be a number of milliseconds >= 0, got ${interval}`);

    // Callbacks: the hooks given directly, then `callbacks` in order.
    const sets: CustomCallbackArgs[] = [];
    const specs: CallbackSpec[] = [];
    const addHooks = (c: BackgroundCallback) => {
      const hooks = hooksOf(c);
      if (hooks.length === 0) return;
      specs.push({ type: 'hooks', set: sets.length, hooks });
      sets.push(c as CustomCallbackArgs);
    };
    const direct: CustomCallbackArgs = {};
    for (const h of HOOK_NAMES) if (typeof args[h] === 'function') direct[h] = args[h] as never;
    addHooks(direct);
    const list = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    list.forEach((c, i) => {
      if (c === null || typeof c !== 'object')
        throw new Error(
          `${WHO}: ${op}: callback ${i} must be an object of hooks (onEpochEnd, ...) or a callback, got ${typeof c}`,
        );
      if (isEarlyStopping(c)) {
        const { monitor, minDelta, patience, mode, baseline, restoreBestWeights, verbose, startFromEpoch } = c;
        specs.push({
          type: 'earlyStopping',
          args: { monitor, minDelta, patience, mode, baseline, restoreBestWeights, verbose, startFromEpoch },
        });
      } else if (c instanceof TerminateOnNaN) {
        // Runs in the worker, where the refused step happens (fit then resolves quietly).
        specs.push({ type: 'terminateOnNaN' });
      } else addHooks(c);
    });
    return { sets, specs, interval };
  }

  /**
   * Runs a fit in the worker (`start` makes the call, given the fit's token and the port
   * events come back on): marks the trainer busy, runs the hooks here as events arrive,
   * and rejects with a hook's own error when one threw.
   */
  private async runFit(
    sets: CustomCallbackArgs[],
    start: (token: number, port: MessagePort | null) => Promise<HistoryData>,
  ): Promise<HistoryData> {
    const token = this.nextToken++;
    const dispatcher = new HookDispatcher(sets);
    const channel = sets.length > 0 ? new MessageChannel() : null;
    let unregister = () => {};
    if (channel !== null) {
      Comlink.expose(
        { deliver: (events: Parameters<HookDispatcher['deliver']>[0]) => dispatcher.deliver(events) },
        channel.port1,
      );
      unregister = this.conn.onClose(() => channel.port1.close());
    }
    const port = channel === null ? null : Comlink.transfer(channel.port2, [channel.port2]);
    const run = start(token, port);
    this.running = { token, done: run.then(noop, noop), hooks: dispatcher };
    try {
      return await run;
    } catch (e) {
      // A hook of ours threw: reject with the error as it was thrown, not its copy.
      throw dispatcher.error !== undefined ? dispatcher.error : e;
    } finally {
      this.running = null;
      channel?.port1.close();
      unregister();
    }
  }

  /**
   * Trains in the worker on a Dataset that stays in this thread, as `model.fitDataset`
   * (TF.js's ModelFitDatasetArgs): batches are pulled as the worker trains and posted to
   * it, at most `prefetch` of them ahead, so a dataset larger than memory (a
   * `data.generator` reading files, say) streams through with memory bounded on both
   * sides. Each batch's tensors are disposed here once sent. Elements are `{xs, ys}` or
   * `[xs, ys]`: tensors, `{data, shape}` arrays (transferred), lists of them or objects by
   * input / output name. Callbacks, `stop()` and the History are as in `fit`. Rejects,
   * naming the batch and its shapes, on a batch the model cannot take or when the
   * dataset's iterator throws; the trainer stays usable.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const trainer = await fe.worker.create(m);
   * const ds = fe.data.generator(function* () {
   *   for (let i = 0; i < 100; i++) yield { xs: fe.randomNormal([8, 2]), ys: fe.zeros([8, 1]) }; // made as the worker asks
   * });
   * const h = await trainer.fitDataset(ds, { epochs: 2, prefetch: 4 });
   * h.epoch; // [0, 1]
   * trainer.terminate();
   * ```
   */
  async fitDataset(dataset: Dataset<unknown>, args: BackgroundFitDatasetArgs): Promise<HistoryData> {
    const op = 'fitDataset';
    if (!isDataset(dataset))
      throw new Error(`${WHO}: ${op}: expected a Dataset (from data.array, data.generator, ...)`);
    if (args === undefined || args === null)
      throw new Error(`${WHO}: ${op}: the second argument ({epochs, ...}) is required`);
    const { sets, specs, interval } = this.beginFit(op, args);
    const window = prefetchOf(op, args.prefetch);
    for (const k of ['epochs', 'batchesPerEpoch', 'validationBatches'] as const) {
      const v = args[k];
      if ((v !== undefined || k === 'epochs') && (!Number.isInteger(v) || v! < 1))
        throw new Error(`${WHO}: ${op}: ${k} must be a positive integer, got ${v}`);
    }
    const initialEpoch = args.initialEpoch ?? 0;
    const epochs = args.epochs - initialEpoch;
    const bpe = args.batchesPerEpoch;
    const sources: Partial<Record<StreamSource, StreamSpec>> = {
      // batchesPerEpoch: one pass across the epochs; else a fresh pass each epoch.
      train: {
        dataset,
        limit: bpe !== undefined ? bpe * Math.max(epochs, 0) : Infinity,
        describe: (pass, k) =>
          bpe !== undefined
            ? `batch ${(k % bpe) + 1} of epoch ${initialEpoch + Math.floor(k / bpe) + 1}`
            : `batch ${k + 1} of epoch ${initialEpoch + pass + 1}`,
      },
    };
    const payload: FitDatasetPayload = { trainSize: dataset.size };
    const transfers = new TransferList();
    const vd = args.validationData;
    if (isDataset(vd)) {
      sources.validation = {
        dataset: vd,
        limit: args.validationBatches ?? Infinity,
        describe: (pass, k) => `validation batch ${k + 1} after epoch ${initialEpoch + pass + 1}`,
      };
      payload.validation = { streamed: true, size: vd.size };
    } else if (vd !== undefined) {
      if (!Array.isArray(vd) || vd.length !== 2)
        throw new Error(`${WHO}: ${op}: validationData must be a Dataset or [xVal, yVal]`);
      const [xv, yv] = [this.list(op, 'x', vd[0]), this.list(op, 'y', vd[1])];
      preflightFit(this.modelInfo, xv, yv, undefined, {}, op);
      payload.validation = {
        streamed: false,
        data: [
          packData(`${op}: validationData[0]`, xv, transfers),
          packData(`${op}: validationData[1]`, yv, transfers),
        ],
      };
    }
    const { validationBatchSize, validationBatches, classWeight } = args;
    const plain = { epochs: args.epochs, batchesPerEpoch: bpe, validationBatchSize, validationBatches, classWeight };
    return this.stream(op, sources, window, (port) =>
      this.runFit(sets, (token, events) => {
        const opts: WireFitDatasetOptions = {
          ...plain,
          initialEpoch: args.initialEpoch,
          yieldEvery: args.yieldEvery,
          verbose: args.verbose,
          token,
          callbacks: specs,
          batchEventInterval: interval,
        };
        return this.conn.call('trainer.fitDataset()', (api) =>
          api.fitDataset(Comlink.transfer(payload, transfers.list), opts, events, port),
        );
      }),
    );
  }

  /**
   * Loss and metrics over a Dataset of batches that stays in this thread, computed in the
   * worker as `model.evaluateDataset` does (numbers, in `metricsNames` order; one number
   * when there are no metrics). Batches stream to the worker as in `fitDataset`.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const trainer = await fe.worker.create(m);
   * const ds = fe.data.array([{ xs: [1], ys: [0] }, { xs: [2], ys: [0] }]).batch(1);
   * await trainer.evaluateDataset(ds, { batches: 2 }); // the mean squared error over 2 batches
   * trainer.terminate();
   * ```
   */
  async evaluateDataset(
    dataset: Dataset<unknown>,
    args: BackgroundEvaluateDatasetArgs = {},
  ): Promise<number | number[]> {
    const op = 'evaluateDataset';
    this.requireCompiled(op);
    if (!isDataset(dataset))
      throw new Error(`${WHO}: ${op}: expected a Dataset (from data.array, data.generator, ...)`);
    if (this.running !== null) throw new Error(`${WHO}: ${op}: the model is training; await fit (or stop() it) first`);
    const window = prefetchOf(op, args.prefetch);
    const batches = args.batches;
    if (batches !== undefined && (!Number.isInteger(batches) || batches < 1))
      throw new Error(`${WHO}: ${op}: batches must be a positive integer, got ${batches}`);
    const sources = {
      train: { dataset, limit: batches ?? Infinity, describe: (_: number, k: number) => `batch ${k + 1}` },
    };
    const values = await this.stream(op, sources, window, (port) =>
      this.conn.call('trainer.evaluateDataset()', (api) =>
        api.evaluateDataset(dataset.size, batches, args.verbose ?? 0, port),
      ),
    );
    return values.length === 1 ? values[0] : values;
  }

  /**
   * Opens the port batches stream on for one call, serves it while `call` runs, and
   * closes it after (waiting for the pulls under way, so their tensors are disposed).
   * When the call fails on a batch this side refused (or an iterator that threw), it
   * rejects with that error as made here, with its cause.
   */
  private async stream<T>(
    op: string,
    sources: Partial<Record<StreamSource, StreamSpec>>,
    window: number,
    call: (port: MessagePort) => Promise<T>,
  ): Promise<T> {
    const channel = new MessageChannel();
    const streamer = new BatchStreamer(channel.port1, WHO, op, this.modelInfo, sources, window);
    this.lastStreamStats = streamer.stats;
    const unregister = this.conn.onClose(() => void streamer.close());
    try {
      return await call(Comlink.transfer(channel.port2, [channel.port2]));
    } catch (e) {
      // The worker's copy of the message, or another failure (a bad batch sent ahead may never have been read).
      const mine = streamer.error;
      throw mine !== undefined && (e as Error)?.message === mine.message ? mine : e;
    } finally {
      unregister();
      await streamer.close();
    }
  }

  /** @internal For tests and benches: what the last streamed call pulled and sent here, and what the worker's streams received. */
  async streamStats(): Promise<{ caller: CallerStreamStats | null; worker: WorkerStreamStats }> {
    const worker = await this.conn.call('trainer.streamStats()', (api) => api.streamStats());
    return { caller: this.lastStreamStats === null ? null : { ...this.lastStreamStats }, worker };
  }

  /**
   * Ends the running fit at the next batch boundary (at once where SharedArrayBuffer can
   * be shared with the worker; else when the worker next reads its messages, within
   * ~0.1 s). The epoch's logs cover the batches done, and the model is left as that last
   * batch made it. Resolves once fit has returned (at once when called from one of fit's
   * own hooks, which fit waits for); does nothing when not training.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const trainer = await fe.worker.create(m);
   * const x = fe.tensor2d([[1], [2]]);
   * const h = await trainer.fit(x, x, { epochs: 1000, onEpochEnd: (epoch) => (epoch === 2 ? trainer.stop() : undefined) });
   * h.epoch.length < 1000; // true: fit ended at a batch boundary soon after stop()
   * trainer.terminate();
   * ```
   */
  async stop(): Promise<void> {
    const run = this.running;
    if (run === null) return;
    if (this.stopFlag !== undefined) Atomics.store(this.stopFlag, 0, run.token);
    this.conn.call('trainer.stop()', (api) => api.stop(run.token)).catch(noop);
    if (!run.hooks.inHook) await run.done;
  }

  /**
   * The model's outputs for x (a Tensor, or one per output), computed in the worker in batches.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, inputShape: [2] })] });
   * const trainer = await fe.worker.create(m);
   * ((await trainer.predict(fe.ones([4, 2]))) as fe.Tensor).shape; // [4, 3]
   * trainer.terminate();
   * ```
   */
  async predict(x: ModelInputs, args: { batchSize?: number } = {}): Promise<Tensor | Tensor[]> {
    const transfers = new TransferList();
    const xs = packData('predict: x', this.list('predict', 'x', x), transfers);
    const out = await this.conn.call('trainer.predict()', (api) =>
      api.predict(Comlink.transfer(xs, transfers.list), args.batchSize),
    );
    const ts = await toTensors(out);
    return this.numOutputs === 1 && ts.length === 1 ? ts[0] : ts;
  }

  /**
   * Loss and metrics over x, y (as numbers, in `metricsNames` order; one number when there are no metrics).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
   * const trainer = await fe.worker.create(m);
   * const [loss, mae] = (await trainer.evaluate(fe.tensor2d([[1]]), fe.tensor2d([[0]]))) as number[];
   * trainer.terminate();
   * ```
   */
  async evaluate(x: ModelInputs, y: ModelInputs, args: { batchSize?: number } = {}): Promise<number | number[]> {
    this.requireCompiled('evaluate');
    if (this.running !== null)
      throw new Error(`${WHO}: evaluate: the model is training; await fit (or stop() it) first`);
    const transfers = new TransferList();
    const xs = packData('evaluate: x', this.list('evaluate', 'x', x), transfers);
    const ys = packData('evaluate: y', this.list('evaluate', 'y', y), transfers);
    const values = await this.conn.call('trainer.evaluate()', (api) =>
      api.evaluate(Comlink.transfer(xs, transfers.list), ys, args.batchSize),
    );
    return values.length === 1 ? values[0] : values;
  }

  /**
   * One gradient step on one batch in the worker, as `model.trainOnBatch`: resolves to the
   * loss, or [loss, ...metrics] when the model has metrics. x and y are transferred as in
   * `fit` (or pass data kept with `putData`). Not while a fit runs.
   *
   * @example
   * ```ts
   * const model = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
   * model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const trainer = await fe.worker.create(model);
   * for (let i = 0; i < 3; i++) await trainer.trainOnBatch(fe.ones([4, 2]), fe.zeros([4, 1])); // each resolves to the batch's loss
   * trainer.terminate();
   * ```
   */
  async trainOnBatch(x: ModelInputs, y: ModelInputs): Promise<number | number[]> {
    this.requireCompiled('trainOnBatch');
    if (this.running !== null)
      throw new Error(`${WHO}: trainOnBatch: the model is training; await fit (or stop() it) first`);
    const [xs, ys] = [this.list('trainOnBatch', 'x', x), this.list('trainOnBatch', 'y', y)];
    preflightFit(this.modelInfo, xs, ys, undefined, {}, 'trainOnBatch');
    const transfers = new TransferList();
    const px = packData('trainOnBatch: x', xs, transfers);
    const py = packData('trainOnBatch: y', ys, transfers);
    const values = await this.conn.call('trainer.trainOnBatch()', (api) =>
      api.trainOnBatch(Comlink.transfer(px, transfers.list), py),
    );
    return values.length === 1 ? values[0] : values;
  }

  /**
   * Loads a step module into the worker, for training loops `fit` does not run (a GAN's
   * two models, a custom loss, a TF.js-style `optimizer.minimize` loop). The worker
   * imports the module by URL (resolved against the page; in Node a path or file URL) and
   * runs its `setup(ctx)` if it exports one; `trainer.step` then runs its `step`. The
   * module gets the library as `ctx.fe` (a worker cannot import 'ferrite-nn' by name, and
   * must use the engine that holds the models), the trainer's model as `ctx.model`, the
   * models given in `create(model, {models})` as `ctx.models`, and `options` (plain data).
   * Rejects if the module cannot be imported, has no `step` export, or its setup throws.
   *
   * @example
   * ```ts no-run
   * // gan-step.js:
   * //   export function setup({fe, models}) { models.d.compile({optimizer: 'adam', loss: 'binaryCrossentropy'}); ... }
   * //   export async function step({fe, model, models, state}, {real}) { ...; return {dLoss, gLoss}; }
   * const generator = fe.sequential({ layers: [fe.layers.dense({ units: 784, activation: 'tanh', inputShape: [100] })] });
   * const discriminator = fe.sequential({ layers: [fe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [784] })] });
   * const images = new Float32Array(1000 * 784); // real samples, e.g. MNIST scaled to [-1, 1]
   * const trainer = await fe.worker.create(generator, { models: { d: discriminator } });
   * await trainer.loadStep(new URL('./gan-step.js', import.meta.url), { latent: 100 });
   * const real = await trainer.putData({ data: images, shape: [1000, 784] });
   * for (let i = 0; i < 1000; i++) console.log(await trainer.step({real}, {batchSize: 64}));
   * ```
   */
  async loadStep(url: string | URL, options: Record<string, unknown> = {}): Promise<void> {
    const href = toUrl(url).href;
    await this.conn.call('trainer.loadStep()', (api) => api.loadStep(href, options));
  }

  /**
   * Runs the loaded step module's `step(ctx, inputs, args)` once in the worker. `inputs`
   * are arrays or tensors by name (transferred as in `fit`) or data kept with `putData`;
   * the step gets them as Tensors. Resolves to what the step returned, with its Tensors
   * made Tensors in this thread (yours to dispose). Rejects with the step's error, naming
   * the module. Not while a fit runs.
   *
   * @example
   * ```ts no-run
   * const generator = fe.sequential({ layers: [fe.layers.dense({ units: 784, activation: 'tanh', inputShape: [100] })] });
   * const discriminator = fe.sequential({ layers: [fe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [784] })] });
   * const trainer = await fe.worker.create(generator, { models: { d: discriminator } });
   * await trainer.loadStep('./gan-step.js');
   * const logs = (await trainer.step({ real: fe.randomUniform([64, 784], -1, 1) }, { batchSize: 64 })) as { dLoss: number; gLoss: number };
   * ```
   */
  async step(
    inputs: Record<string, DataInput | ResidentData> = {},
    args: Record<string, unknown> = {},
  ): Promise<unknown> {
    if (this.running !== null) throw new Error(`${WHO}: step: the model is training; await fit (or stop() it) first`);
    if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs))
      throw new Error(
        `${WHO}: step: inputs must be an object of arrays or tensors by name, got ${describeValue(inputs)}`,
      );
    const transfers = new TransferList();
    const packed: Record<string, WireData> = {};
    for (const [name, v] of Object.entries(inputs)) {
      if (v instanceof ResidentData) v.check(`${WHO}: step: inputs.${name}`, this, this.isTerminated);
      packed[name] = packData(`step: inputs.${name}`, v, transfers);
    }
    const result = await this.conn.call('trainer.step()', (api) =>
      api.step(Comlink.transfer(packed, transfers.list), args),
    );
    await ready();
    return unpackStepResult(result);
  }

  /**
   * Sends arrays (or tensors) to the worker once and keeps them there: fit, evaluate and
   * predict take the returned handle in place of x, y or validation data, and nothing is
   * copied again however often it is used. Give one entry, or a list in the model's input
   * (or output) order. Typed arrays are transferred (left empty here), as with fit. Free
   * the data with `freeData` when done; `terminate()` frees it all.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const trainer = await fe.worker.create(m);
   * const xs = await trainer.putData({ data: new Float32Array([1, 2, 3]), shape: [3, 1] }); // sent once
   * for (let round = 0; round < 2; round++) await trainer.fit(xs, xs, { epochs: 1 }); // no data crosses again
   * await trainer.freeData(xs);
   * trainer.terminate();
   * ```
   */
  async putData(data: DataInput | DataInput[]): Promise<ResidentData> {
    if (data instanceof ResidentData) throw new Error(`${WHO}: putData: ${data.toString()} is already in the worker`);
    const transfers = new TransferList();
    const ws = packTensors('putData', data, transfers);
    const entries = ws.map((w) => ({ shape: [...w.shape], dtype: w.dtype }));
    const bytes = ws.reduce((s, w) => s + w.data.byteLength, 0);
    const handle = await this.conn.call('trainer.putData()', (api) =>
      api.putData(Comlink.transfer(ws, transfers.list)),
    );
    const resident = new ResidentData(handle, entries, bytes, this);
    this.residentData.add(resident);
    return resident;
  }

  /**
   * Frees data `putData` kept in the worker; the handle is refused afterwards. Not while a fit runs.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * const trainer = await fe.worker.create(m);
   * const xs = await trainer.putData(fe.tensor2d([[1], [2]]));
   * await trainer.freeData(xs);
   * xs.isFreed; // true
   * trainer.terminate();
   * ```
   */
  async freeData(data: ResidentData): Promise<void> {
    if (!(data instanceof ResidentData))
      throw new Error(`${WHO}: freeData: expected a handle from putData, got ${describeValue(data)}`);
    data.check(`${WHO}: freeData`, this, this.isTerminated);
    if (this.running !== null)
      throw new Error(`${WHO}: freeData: the model is training; await fit (or stop() it) first`);
    data.markFreed();
    this.residentData.delete(data);
    await this.conn.call('trainer.freeData()', (api) => api.freeData(data.handle));
  }

  /** @internal For tests and benches: the data bytes the worker received and the data it holds. */
  residentStats(): Promise<ResidentStats> {
    return this.conn.call('trainer.residentStats()', (api) => api.residentStats());
  }

  /**
   * Copies of the weights as Tensors in this thread, in `model.weights` order (a snapshot between two batches if training).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3] })] });
   * const trainer = await fe.worker.create(m);
   * (await trainer.getWeights()).map((w) => w.shape); // [[3, 2], [2]]: kernel and bias
   * trainer.terminate();
   * ```
   */
  async getWeights(): Promise<Tensor[]> {
    return toTensors(await this.conn.call('trainer.getWeights()', (api) => api.getWeights()));
  }

  /**
   * The trained model in this thread: rebuilt from its config with the worker's weights,
   * and compiled with the same settings (with a fresh optimizer).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const trainer = await fe.worker.create(m);
   * await trainer.fit(fe.tensor2d([[1]]), fe.tensor2d([[3]]), { epochs: 2 });
   * const trained = await trainer.toModel(); // compiled like m, with the worker's weights
   * trainer.terminate();
   * ```
   */
  async toModel(): Promise<LayersModel> {
    const saved = await this.conn.call('trainer.toModel()', (api) => api.save());
    const weights = await toTensors(saved.weights);
    try {
      const model = deserialize<LayersModel>({ className: saved.className, config: saved.config }, 'model');
      if (weights.length > 0) model.setWeights(weights);
      if (this.compileSpec !== null) model.compile(compileArgsFromSpec(this.compileSpec));
      return model;
    } finally {
      for (const w of weights) w.dispose();
    }
  }

  /**
   * Stops the worker at once; pending calls reject, and so does every later call.
   *
   * @example
   * ```ts
   * const trainer = await fe.worker.create(fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] }));
   * trainer.terminate();
   * trainer.isTerminated; // true: later calls reject
   * ```
   */
  terminate(): void {
    for (const d of this.residentData) d.markFreed();
    this.residentData.clear();
    this.conn.fail(`${WHO}: terminated by trainer.terminate()`);
  }

  /** @internal For tests of failure handling: makes the worker fail `delayMs` from now; rejects when it does. */
  debugCrash(mode: CrashMode, delayMs = 0): Promise<void> {
    return this.conn.call('trainer.debugCrash()', (api) => api.crash(mode, delayMs));
  }
}

function noop(): void {}

const isDataset = (d: unknown): d is Dataset<unknown> =>
  d !== null && typeof d === 'object' && typeof (d as Dataset<unknown>).iterator === 'function';

/** The `prefetch` option: batches of a pass in flight at most. */
function prefetchOf(op: string, prefetch: number | undefined): number {
  const n = prefetch ?? 4;
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${WHO}: ${op}: prefetch must be a positive integer (batches sent ahead), got ${String(prefetch)}`);
  return n;
}

/** `create`'s warmUp option as milliseconds (undefined: none). */
function warmUpBudget(w: boolean | number | undefined): number | undefined {
  if (w === undefined || w === false) return undefined;
  if (w === true) return 400;
  if (typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w))
    throw new Error(
      `${WHO}: worker.create: warmUp must be true, false or a finite number of milliseconds >= 0, got ${String(w)}`,
    );
  return w;
}

/** Data to send with a call, or the handle of data the worker holds. */
function packData(what: string, v: DataInput | DataInput[] | ResidentData, transfers: TransferList): WireData {
  return v instanceof ResidentData ? { handle: v.handle } : packTensors(what, v, transfers);
}

function describeValue(x: unknown): string {
  if (x === null) return 'null';
  return typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x;
}

/** The model as data for the worker, with its weights packed for transfer. */
function modelPayload(
  source: LayersModel | ModelConfig,
  compile: CompileSpec | null,
  transfers: TransferList,
): ModelPayload {
  if (source instanceof LayersModel) {
    if (source.isDisposed) throw new Error(`ferrite: worker.create: model ${source.name} is disposed`);
    return {
      className: source.getClassName(),
      config: source.getConfig(),
      weights: source.weights.map((w, i) => packTensor(`worker.create: weight ${i}`, w, transfers)),
      compile,
    };
  }
  if (
    source === null ||
    typeof source !== 'object' ||
    typeof source.className !== 'string' ||
    source.config === null ||
    typeof source.config !== 'object'
  ) {
    throw new Error(
      'ferrite: worker.create: expected a LayersModel (e.g. from sequential()) or {className, config, weights?}',
    );
  }
  return {
    className: source.className,
    config: source.config,
    weights: (source.weights ?? []).map((w, i) => packTensor(`worker.create: weights[${i}]`, w, transfers)),
    compile,
  };
}

/** The payloads of `create(model, {models})`, each compiled as it was (when compiled with built-in names). */
function modelPayloads(models: Record<string, LayersModel | ModelConfig>): {
  payloads: Record<string, ModelPayload>;
  transfers: TransferList;
} {
  if (models === null || typeof models !== 'object' || Array.isArray(models) || models instanceof LayersModel)
    throw new Error(`ferrite: worker.create: models must be an object of models by name, got ${describeValue(models)}`);
  const transfers = new TransferList();
  const payloads: Record<string, ModelPayload> = {};
  for (const [name, m] of Object.entries(models)) {
    try {
      payloads[name] = modelPayload(m, m instanceof LayersModel ? compileSpecFromModel(m) : null, transfers);
    } catch (e) {
      throw new Error(`${(e as Error).message} (models.${name})`);
    }
  }
  return { payloads, transfers };
}

// Absolute URLs: the worker's script is elsewhere than this page or module. In browsers the
// worker is told where this thread finds each file: a bundler (Vite) emits the worker
// script as a plain asset, whose own `new URL('./ferrite-simd.wasm', import.meta.url)`
// would miss the renamed .wasm files.
function workerWasmPaths(paths: string | URL | undefined): InitOptions['wasmPaths'] {
  if (paths !== undefined) return toUrl(paths).href;
  return isNode ? undefined : wasmUrls();
}

/**
 * Starts a worker and hands it a copy of `model` (a LayersModel is sent as its config and
 * weights; the original stays usable here). Resolves to the Trainer once the worker has
 * loaded Ferrite (the threaded build where the runtime allows it) and built the model.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer = await fe.worker.create(m); // a worker with a copy of m
 * const history = await trainer.fit(fe.tensor2d([[1], [2]]), fe.tensor2d([[2], [4]]), { epochs: 5, onEpochEnd: (e, logs) => console.log(e, logs?.loss) });
 * const trained = await trainer.toModel(); // the trained weights, back in this thread
 * trainer.terminate();
 * ```
 */
export async function create(model: LayersModel | ModelConfig, options: CreateOptions = {}): Promise<Trainer> {
  const compileSpec =
    options.compile !== undefined
      ? compileSpecFromArgs(options.compile)
      : model instanceof LayersModel
        ? compileSpecFromModel(model)
        : null;
  const warmUpMs = warmUpBudget(options.warmUp);
  const transfers = new TransferList();
  const payload = modelPayload(model, compileSpec, transfers);
  const extra = options.models === undefined ? null : modelPayloads(options.models);
  const loadTimeout = options.loadTimeout ?? 60_000;
  const conn = await spawnWorker({ workerUrl: options.workerUrl, resourceLimits: options.resourceLimits });
  const stopFlag = sharedStopFlag();
  const timer = setTimeout(
    () => conn.fail(`${WHO}: the training worker (${conn.url.href}) did not start within ${loadTimeout} ms`),
    loadTimeout,
  );
  try {
    const info = await conn.call('worker.create()', (api) =>
      api.init({
        backend: options.backend,
        threads: options.threads,
        wasmPaths: workerWasmPaths(options.wasmPaths),
        stopFlag,
        warmUpMs,
      }),
    );
    clearTimeout(timer);
    const modelInfo = await conn.call('worker.create()', (api) => api.load(Comlink.transfer(payload, transfers.list)));
    if (extra !== null)
      await conn.call('worker.create()', (api) =>
        api.loadModels(Comlink.transfer(extra.payloads, extra.transfers.list)),
      );
    return new Trainer(conn, info, modelInfo, compileSpec, stopFlag);
  } catch (e) {
    clearTimeout(timer);
    conn.fail(`${WHO}: worker.create() failed: ${(e as Error).message}`);
    throw e;
  }
}
