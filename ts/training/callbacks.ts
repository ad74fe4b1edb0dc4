// Training callbacks, like TF.js's: hooks called by fit at the start and end of
// training, of each epoch and of each batch, with logs of plain numbers. Hooks may be
// async; fit awaits them (and only them: synchronous hooks cost no promise).

import type { Layer } from '../layers/layer.js';

/** The model a callback is attached to: its layers' weights, and a flag that ends training. */
export interface CallbackModel extends Layer {
  /** Set to end fit after the current batch (EarlyStopping does). */
  stopTraining: boolean;
}

/** Loss and metric values by name ('loss', 'acc', 'val_loss', ...). */
export type Logs = Record<string, number>;

/** What fit tells callbacks about the run. */
export interface CallbackParams {
  /** The epoch count fit was given (`epochs`). */
  epochs: number;
  /** The epoch training starts from (`initialEpoch`, default 0). */
  initialEpoch: number;
  /** Batches per epoch (null when unknown: fitDataset on a dataset of unknown size). */
  steps: number | null;
  /** Training samples per epoch (null in fitDataset, where batches come ready-made). */
  samples: number | null;
  /** The batch size (null in fitDataset, where batches come ready-made). */
  batchSize: number | null;
  /** fit's `verbose` level (0: silent). */
  verbose: number;
  /** True when fit has validation data: epoch logs then hold `val_` entries. */
  doValidation: boolean;
  /** Names that epoch logs will hold: ['loss', 'acc', 'val_loss', 'val_acc']. */
  metrics: string[];
}

/** A callback hook: may return a promise, which training awaits. @inline */
type Hook<A extends unknown[]> = (...args: A) => void | Promise<void>;

/** The hooks a callback may define (all optional), as in TF.js's CustomCallbackArgs. */
export interface CustomCallbackArgs {
  /** Called once before the first epoch. */
  onTrainBegin?: Hook<[logs?: Logs]>;
  /** Called once after the last epoch (or when training stops early), with the last epoch's logs. */
  onTrainEnd?: Hook<[logs?: Logs]>;
  /** Called at the start of each epoch (`epoch` counts from 0). */
  onEpochBegin?: Hook<[epoch: number, logs?: Logs]>;
  /** Called at the end of each epoch with its logs: loss and metrics, with `val_` entries when validating. */
  onEpochEnd?: Hook<[epoch: number, logs?: Logs]>;
  /** Called before each batch (`batch` counts from 0 in each epoch). */
  onBatchBegin?: Hook<[batch: number, logs?: Logs]>;
  /** Called after each batch with its logs (the batch's loss and metrics). */
  onBatchEnd?: Hook<[batch: number, logs?: Logs]>;
}

/** Base class of callbacks: override the hooks you need. */
export abstract class BaseCallback {
  /** The model being trained (set by fit through `setModel`). */
  model: CallbackModel | null = null;
  /** What fit tells callbacks about the run (set through `setParams`). */
  params: CallbackParams | null = null;

  /** Called by fit with the model being trained. */
  setModel(model: CallbackModel): void {
    this.model = model;
  }

  /** Called by fit with the run's parameters (epochs, batch size, metric names, ...). */
  setParams(params: CallbackParams): void {
    this.params = params;
  }

  /** Called once before the first epoch. Training awaits a returned promise. */
  onTrainBegin(_logs?: Logs): void | Promise<void> {}
  /** Called once after the last epoch (or when training stops early). */
  onTrainEnd(_logs?: Logs): void | Promise<void> {}
  /** Called at the start of each epoch (`epoch` counts from 0). */
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> {}
  /** Called at the end of each epoch with its logs: loss and metrics, with `val_` entries when validating. */
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> {}
  /** Called before each batch (`batch` counts from 0 in each epoch). */
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}
  /** Called after each batch with its logs (the batch's loss and metrics). */
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}

  /**
   * Frees what the callback holds in wasm memory (kept tensors). fit calls it when
   * training ends by an error, where onTrainEnd does not run (as in Keras).
   */
  release(): void {}

  /** Whether this callback does anything per batch (fit skips the calls otherwise). */
  wantsBatchHooks(): boolean {
    const proto = BaseCallback.prototype;
    return this.onBatchBegin !== proto.onBatchBegin || this.onBatchEnd !== proto.onBatchEnd;
  }
}

/** A callback from plain functions: `new CustomCallback({onEpochEnd: (epoch, logs) => ...})`. */
export class CustomCallback extends BaseCallback {
  constructor(private readonly hooks: CustomCallbackArgs) {
    super();
    for (const [k, v] of Object.entries(hooks)) {
      if (typeof v !== 'function') throw new Error(`ferrite: callback hook ${k} must be a function, got ${typeof v}`);
    }
  }
  override onTrainBegin(logs?: Logs) {
    return this.hooks.onTrainBegin?.(logs);
  }
  override onTrainEnd(logs?: Logs) {
    return this.hooks.onTrainEnd?.(logs);
  }
  override onEpochBegin(epoch: number, logs?: Logs) {
    return this.hooks.onEpochBegin?.(epoch, logs);
  }
  override onEpochEnd(epoch: number, logs?: Logs) {
    return this.hooks.onEpochEnd?.(epoch, logs);
  }
  override onBatchBegin(batch: number, logs?: Logs) {
    return this.hooks.onBatchBegin?.(batch, logs);
  }
  override onBatchEnd(batch: number, logs?: Logs) {
    return this.hooks.onBatchEnd?.(batch, logs);
  }
  override wantsBatchHooks(): boolean {
    return this.hooks.onBatchBegin !== undefined || this.hooks.onBatchEnd !== undefined;
  }
}

/** Records every epoch's logs; `fit` resolves to it. `history.history.loss[e]` is epoch e's loss. */
export class History extends BaseCallback {
  /** The epochs trained, in order. */
  epoch: number[] = [];
  /** Each log's value per epoch: `history.loss[i]` is the loss of `epoch[i]`. */
  history: Record<string, number[]> = {};

  override onTrainBegin(): void {
    this.epoch = [];
    this.history = {};
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

/** What fit's `callbacks` accepts: a callback object, or an object of hook functions (TF.js's CustomCallbackArgs). */
export type CallbackIdentifier = BaseCallback | CustomCallbackArgs;

/** Accepts a callback, a plain object of hooks, or an array of either (as TF.js does). */
export function standardizeCallbacks(callbacks: CallbackIdentifier | CallbackIdentifier[] | undefined): BaseCallback[] {
  if (callbacks === undefined || callbacks === null) return [];
  const list = Array.isArray(callbacks) ? callbacks : [callbacks];
  return list.map((c, i) => {
    if (c instanceof BaseCallback) return c;
    if (c !== null && typeof c === 'object') return new CustomCallback(c);
    throw new Error(
      `ferrite: fit: callback ${i} must be a callback or an object of hooks (onEpochEnd, ...), got ${typeof c}`,
    );
  });
}

function isPromise(x: unknown): x is Promise<void> {
  return x !== null && typeof x === 'object' && typeof (x as Promise<void>).then === 'function';
}

/**
 * Calls a hook on every callback in order, awaiting those that return a promise. Returns
 * undefined when all were synchronous, so the caller's hot loop awaits nothing.
 */
export class CallbackList {
  readonly wantsBatchHooks: boolean;

  constructor(readonly callbacks: BaseCallback[]) {
    this.wantsBatchHooks = callbacks.some((c) => c.wantsBatchHooks());
  }

  setModel(model: CallbackModel): void {
    for (const c of this.callbacks) c.setModel(model);
  }

  setParams(params: CallbackParams): void {
    for (const c of this.callbacks) c.setParams(params);
  }

  release(): void {
    for (const c of this.callbacks) c.release();
  }

  private run(call: (c: BaseCallback) => void | Promise<void>): Promise<void> | undefined {
    for (let i = 0; i < this.callbacks.length; i++) {
      const r = call(this.callbacks[i]);
      if (isPromise(r)) return this.finishAsync(r, i + 1, call);
    }
    return undefined;
  }

  private async finishAsync(
    pending: Promise<void>,
    next: number,
    call: (c: BaseCallback) => void | Promise<void>,
  ): Promise<void> {
    await pending;
    for (let i = next; i < this.callbacks.length; i++) await call(this.callbacks[i]);
  }

  onTrainBegin(logs?: Logs) {
    return this.run((c) => c.onTrainBegin(logs));
  }
  onTrainEnd(logs?: Logs) {
    return this.run((c) => c.onTrainEnd(logs));
  }
  onEpochBegin(epoch: number, logs?: Logs) {
    return this.run((c) => c.onEpochBegin(epoch, logs));
  }
  onEpochEnd(epoch: number, logs?: Logs) {
    return this.run((c) => c.onEpochEnd(epoch, logs));
  }
  onBatchBegin(batch: number, logs?: Logs) {
    return this.run((c) => c.onBatchBegin(batch, logs));
  }
  onBatchEnd(batch: number, logs?: Logs) {
    return this.run((c) => c.onBatchEnd(batch, logs));
  }
}
