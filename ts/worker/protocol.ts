// What the caller's thread and the training worker say to each other: the worker's API
// (exposed with comlink), and the plain-data forms of models, fit options, training
// events and histories. Only numbers, strings, typed arrays and ports cross.

import type { DataType } from '../tensor/tensor.js';
import type { BuildName } from '../backend/wasm-files.js';
import type { CallbackParams, Logs } from '../training/callbacks.js';
import type { EarlyStoppingArgs } from '../training/early-stopping.js';
import type { FitOptions } from '../training/fit.js';
import type { ModelFitDatasetArgs } from '../training/fit-dataset.js';
import type { CompileSpec } from './compile-spec.js';
import type { WireTensor } from './wire.js';
import type { ResidentStats, WireData } from './resident.js';

export interface InitOptions {
  /** Build to run; default: the best this worker allows (threads where possible). */
  backend?: BuildName;
  /** Threads of the threaded build; default: hardware concurrency. */
  threads?: number;
  /** Where the .wasm files are (a folder URL, or one absolute URL per file name), if not beside the worker script. */
  wasmPaths?: string | Record<string, string>;
  /** Shared stop flag (where SharedArrayBuffer may be sent): holds the token of a fit to stop. */
  stopFlag?: Int32Array;
  /** Milliseconds of `warmUp` before the model loads (0: none). */
  warmUpMs?: number;
}

/** What the worker runs on. */
export interface WorkerInfo {
  backend: BuildName;
  threads: number;
  crossOriginIsolated: boolean;
  runtime: 'node' | 'browser';
}

/** A model as data: class and config (as `getConfig()` gives), weights, compile settings. */
export interface ModelPayload {
  className: string;
  config: Record<string, unknown>;
  /** In `model.weights` order; empty for a model not built yet. */
  weights: WireTensor[];
  compile: CompileSpec | null;
}

/** What the caller learns about the model once the worker has it. */
export interface ModelInfo {
  name: string;
  /** Names fit logs and evaluate results use: 'loss', then metrics ([] if not compiled). */
  metricsNames: string[];
  /** Number of model outputs. */
  numOutputs: number;
  /** Shapes (batch first, null = any) and dtypes of the model's inputs; null while the graph waits for data. */
  inputs: { shape: (number | null)[]; dtype: DataType }[] | null;
  /** Input names (name-keyed x); null while the graph waits for data. */
  inputNames: string[] | null;
  /**
   * Per output: its name and, when its compiled loss takes integer class labels, the
   * number of classes (labels are checked against it before data is sent); null while
   * the graph waits for data.
   */
  outputs: { name: string; labelClasses: number | null }[] | null;
}

export interface FitPayload {
  x: WireData;
  y: WireData;
  validationData?: [WireData, WireData];
}

export type HookName = 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd';
export const HOOK_NAMES: readonly HookName[] = [
  'onTrainBegin',
  'onTrainEnd',
  'onEpochBegin',
  'onEpochEnd',
  'onBatchBegin',
  'onBatchEnd',
];

/** A callback as the worker sees it: the hooks a caller-side object defines, or an EarlyStopping to run in the worker. */
export type CallbackSpec =
  | { type: 'hooks'; set: number; hooks: HookName[] }
  | { type: 'earlyStopping'; args: EarlyStoppingArgs }
  | { type: 'terminateOnNaN' };

/** fit's options as they cross: the plain-data ones, and callbacks as specs. */
export interface WireFitOptions extends FitOptions {
  /** Names this fit for `stop(token)`. */
  token: number;
  callbacks: CallbackSpec[];
  /** Batch events are sent in bursts at most this often (ms). */
  batchEventInterval: number;
}

/** One training event for the caller's hook set `set`. `index` is the epoch or batch number. */
export interface TrainEvent {
  set: number;
  hook: HookName;
  index?: number;
  logs?: Logs;
  /** With onTrainBegin: what fit tells callbacks about the run (epochs, steps, samples, ...). */
  params?: CallbackParams;
}

/** The caller's end of the event channel. Resolves once the hooks have run (and their promises settled). */
export interface EventSink {
  deliver(events: TrainEvent[]): Promise<void>;
}

/**
 * A History as plain data: `history.loss[e]` is epoch e's loss.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const trainer = await fe.worker.create(m);
 * const h = await trainer.fit(fe.tensor2d([[1]]), fe.tensor2d([[1]]), { epochs: 2 });
 * [h.epoch, h.params?.epochs]; // [[0, 1], 2]: plain data, not a History
 * trainer.terminate();
 * ```
 */
export interface HistoryData {
  /** The epochs trained, in order. */
  epoch: number[];
  /** Each log's value per epoch. */
  history: Record<string, number[]>;
  /** What fit told callbacks about the run. */
  params: CallbackParams | null;
}

/** The trained model as data, for `toModel()`. */
export interface SavedModel {
  className: string;
  config: Record<string, unknown>;
  weights: WireTensor[];
}

/** How a test ends the worker: process.exit, an uncaught error, an unhandled rejection, or filling its JS heap. */
export type CrashMode = 'exit' | 'throw' | 'reject' | 'heap';

/** The API the worker exposes (comlink makes every method async on the caller's side). */
export interface WorkerApi {
  init(opts: InitOptions): Promise<WorkerInfo>;
  load(model: ModelPayload): ModelInfo;
  fit(data: FitPayload, opts: WireFitOptions, events: MessagePort | null): Promise<HistoryData>;
  stop(token: number): void;
  predict(x: WireData, batchSize?: number): WireTensor[];
  evaluate(x: WireData, y: WireData, batchSize?: number): number[];
  getWeights(): WireTensor[];
  save(): SavedModel;
  /** For tests of failure handling: ends the worker abruptly `delayMs` from now (the call never answers). */
  crash(mode: CrashMode, delayMs: number): Promise<void>;
  /** Keeps arrays in the worker; returns their handle. */
  putData(data: WireTensor[]): number;
  /** Frees a handle's arrays. */
  freeData(handle: number): void;
  /** Bytes received and held. */
  residentStats(): ResidentStats;
  /** More models, by name, for a step module (`worker.create(model, {models})`). */
  loadModels(models: Record<string, ModelPayload>): void;
  /** `model.trainOnBatch` in the worker: the loss, then the metrics. */
  trainOnBatch(x: WireData, y: WireData): Promise<number[]>;
  /** Imports a step module by URL and runs its setup. */
  loadStep(url: string, options: Record<string, unknown>): Promise<void>;
  /** Runs the step module's `step` with the inputs by name; its result as plain data with wire tensors. */
  step(inputs: Record<string, WireData>, args: Record<string, unknown>): Promise<unknown>;
  /** `model.fitDataset` on batches the caller streams over `stream` (messages of StreamRequest / StreamReply). */
  fitDataset(
    data: FitDatasetPayload,
    opts: WireFitDatasetOptions,
    events: MessagePort | null,
    stream: MessagePort,
  ): Promise<HistoryData>;
  /** `model.evaluateDataset` on batches the caller streams: the loss, then the metrics. */
  evaluateDataset(
    size: number | null,
    batches: number | undefined,
    verbose: number,
    stream: MessagePort,
  ): Promise<number[]>;
  /** For tests and benches: what the worker's streams received, and its live tensors. */
  streamStats(): WorkerStreamStats;
}

/** fitDataset's data: the training dataset's size, and validation as a streamed dataset or data sent with the call. */
export interface FitDatasetPayload {
  /** `Dataset.size` of the caller's training dataset (fitDataset's params read it). */
  trainSize: number | null;
  validation?: { streamed: true; size: number | null } | { streamed: false; data: [WireData, WireData] };
}

/** fitDataset's plain-data options as they cross, with callbacks as specs (as fit's). */
export interface WireFitDatasetOptions extends Pick<
  ModelFitDatasetArgs,
  | 'epochs'
  | 'batchesPerEpoch'
  | 'verbose'
  | 'validationBatchSize'
  | 'validationBatches'
  | 'classWeight'
  | 'initialEpoch'
  | 'yieldEvery'
> {
  /** Names this fit for `stop(token)`. */
  token: number;
  callbacks: CallbackSpec[];
  /** Batch events are sent in bursts at most this often (ms). */
  batchEventInterval: number;
}

/** Which of the caller's datasets a stream reads. */
export type StreamSource = 'train' | 'validation';

/**
 * Worker to caller, on a streamed fit's port: `open` starts a pass over a dataset (the
 * worker called its `iterator()`), `consumed` hands back one batch of credit (training
 * took a batch, so one more may be sent), `close` abandons a pass.
 */
export type StreamRequest =
  | { type: 'open'; stream: number; source: StreamSource }
  | { type: 'consumed'; stream: number }
  | { type: 'close'; stream: number };

/** Caller to worker: a batch (its buffers transferred), the end of a pass, or why the pass failed. */
export type StreamReply =
  | { type: 'batch'; stream: number; xs: WireTensor[]; ys: WireTensor[] }
  | { type: 'end'; stream: number }
  | { type: 'error'; stream: number; message: string };

/** The worker's side of streaming, for tests and benches. */
export interface WorkerStreamStats {
  /** Batches received over every stream since the worker started. */
  batchesReceived: number;
  /** Most batches one stream ever held received and not yet taken by training. */
  maxQueued: number;
  /** Times training asked for a batch (or a pass's end) before it had arrived: the first of each pass, and any the caller was late with. */
  waits: number;
  /** Tensors alive in the worker now. */
  numTensors: number;
}
