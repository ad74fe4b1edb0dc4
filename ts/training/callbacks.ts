// Training callbacks, like TF.js's: hooks called by fit at the start and end of
// training, of each epoch and of each batch, with logs of plain numbers. Hooks may be
// async; fit awaits them (and only them: synchronous hooks cost no promise).

import type { Layer } from '../layers/layer.js';

/**
 * The model a callback is attached to: its layers' weights, and a flag that ends training.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const cb: fe.CustomCallback = new fe.CustomCallback({ onEpochEnd: () => void (cb.model!.stopTraining = true) }); // stop after one epoch
 * (await m.fit(x, x, { epochs: 10, verbose: 0, callbacks: [cb] })).epoch; // [0]
 * ```
 */
export interface CallbackModel extends Layer {
  /** Set to end fit after the current batch (EarlyStopping does). */
  stopTraining: boolean;
}

/**
 * Loss and metric values by name ('loss', 'acc', 'val_loss', ...).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const onEpochEnd = (epoch: number, logs?: fe.Logs) => console.log(epoch, logs); // 0 { loss: ..., mae: ... }
 * await m.fit(x, x, { epochs: 2, verbose: 0, callbacks: { onEpochEnd } });
 * ```
 */
export type Logs = Record<string, number>;

/**
 * What fit tells callbacks about the run.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const cb: fe.CustomCallback = new fe.CustomCallback({ onTrainBegin: () => console.log(cb.params) });
 * await m.fit(x, x, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [cb] }); // { epochs: 2, steps: 2, batchSize: 2, ... }
 * ```
 */
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

/**
 * The hooks a callback may define (all optional), as in TF.js's CustomCallbackArgs.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * await m.fit(x, x, {
 *   epochs: 2, verbose: 0,
 *   callbacks: { onEpochEnd: (epoch, logs) => console.log(`epoch ${epoch}: loss ${logs?.loss}`) },
 * });
 * ```
 */
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

/**
 * Base class of callbacks: override the hooks you need.
 *
 * @example
 * ```ts
 * class LossRecorder extends fe.CustomCallback {
 *   losses: number[] = [];
 *   constructor() { super({}); }
 *   override onBatchEnd(batch: number, logs?: fe.Logs) { this.losses.push(logs!.loss); }
 * }
 * const rec = new LossRecorder(); // pass it in fit's callbacks: rec.losses gets every batch's loss
 * ```
 */
export abstract class BaseCallback {
  /** The model being trained (set by fit through `setModel`). */
  model: CallbackModel | null = null;
  /** What fit tells callbacks about the run (set through `setParams`). */
  params: CallbackParams | null = null;

  /**
   * Called by fit with the model being trained.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * const cb = new fe.CustomCallback({});
   * cb.setModel(m); // fit does this before training
   * cb.model === m; // true
   * ```
   */
  setModel(model: CallbackModel): void {
    this.model = model;
  }

  /**
   * Called by fit with the run's parameters (epochs, batch size, metric names, ...).
   *
   * @example
   * ```ts
   * const cb = new fe.CustomCallback({});
   * cb.setParams({ epochs: 1, initialEpoch: 0, steps: 1, samples: 4, batchSize: 4, verbose: 0, doValidation: false, metrics: ['loss'] });
   * cb.params?.metrics; // ['loss']: fit sets these before training
   * ```
   */
  setParams(params: CallbackParams): void {
    this.params = params;
  }

  /**
   * Called once before the first epoch. Training awaits a returned promise.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2]]);
   * await m.fit(x, x, { epochs: 1, verbose: 0, callbacks: { onTrainBegin: () => console.log('start') } });
   * ```
   */
  onTrainBegin(_logs?: Logs): void | Promise<void> {}
  /**
   * Called once after the last epoch (or when training stops early).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2]]);
   * await m.fit(x, x, { epochs: 3, verbose: 0, callbacks: { onTrainEnd: (logs) => console.log('final', logs) } });
   * ```
   */
  onTrainEnd(_logs?: Logs): void | Promise<void> {}
  /**
   * Called at the start of each epoch (`epoch` counts from 0).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2]]);
   * await m.fit(x, x, { epochs: 2, verbose: 0, callbacks: { onEpochBegin: (epoch) => console.log('epoch', epoch) } }); // 0, 1
   * ```
   */
  onEpochBegin(_epoch: number, _logs?: Logs): void | Promise<void> {}
  /**
   * Called at the end of each epoch with its logs: loss and metrics, with `val_` entries when validating.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2], [3], [4]]);
   * const onEpochEnd = (epoch: number, logs?: fe.Logs) => console.log(epoch, logs?.loss, logs?.val_loss);
   * await m.fit(x, x, { epochs: 2, validationSplit: 0.25, verbose: 0, callbacks: { onEpochEnd } });
   * ```
   */
  onEpochEnd(_epoch: number, _logs?: Logs): void | Promise<void> {}
  /**
   * Called before each batch (`batch` counts from 0 in each epoch).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2], [3], [4]]);
   * await m.fit(x, x, { epochs: 1, batchSize: 2, verbose: 0, callbacks: { onBatchBegin: (b) => console.log('batch', b) } }); // 0, 1
   * ```
   */
  onBatchBegin(_batch: number, _logs?: Logs): void | Promise<void> {}
  /**
   * Called after each batch with its logs (the batch's loss and metrics).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2], [3], [4]]);
   * const losses: number[] = [];
   * await m.fit(x, x, { epochs: 1, batchSize: 2, verbose: 0, callbacks: { onBatchEnd: (b, logs) => void losses.push(logs!.loss) } });
   * losses.length; // 2
   * ```
   */
  onBatchEnd(_batch: number, _logs?: Logs): void | Promise<void> {}

  /**
   * Frees what the callback holds in wasm memory (kept tensors). fit calls it when
   * training ends by an error, where onTrainEnd does not run (as in Keras).
   *
   * @example
   * ```ts
   * class KeepsBest extends fe.CustomCallback {
   *   best: fe.Tensor | null = null;
   *   constructor() { super({}); }
   *   override release() { this.best?.dispose(); this.best = null; } // fit calls it when training fails
   * }
   * new KeepsBest().release();
   * ```
   */
  release(): void {}

  /**
   * Whether this callback does anything per batch (fit skips the calls otherwise).
   *
   * @internal
   */
  wantsBatchHooks(): boolean {
    const proto = BaseCallback.prototype;
    return this.onBatchBegin !== proto.onBatchBegin || this.onBatchEnd !== proto.onBatchEnd;
  }
}

/**
 * A callback from plain functions: `new CustomCallback({onEpochEnd: (epoch, logs) => ...})`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const log = new fe.CustomCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs?.loss) });
 * await m.fit(x, x, { epochs: 2, verbose: 0, callbacks: [log] });
 * ```
 */
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

/**
 * Records every epoch's logs; `fit` resolves to it. `history.history.loss[e]` is epoch e's loss.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const history = await m.fit(x, x, { epochs: 3, verbose: 0 });
 * history.epoch; // [0, 1, 2]
 * history.history.loss.length; // 3
 * ```
 */
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

/**
 * What fit's `callbacks` accepts: a callback object, or an object of hook functions (TF.js's CustomCallbackArgs).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const hooks = { onEpochEnd: (e: number) => console.log(e) }; // a plain object of hooks ...
 * await m.fit(x, x, { epochs: 1, verbose: 0, callbacks: [hooks, fe.callbacks.terminateOnNaN()] }); // ... or callback objects
 * ```
 */
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
