// ModelCheckpoint, as Keras's: saves the model during fit, every epoch or every
// `saveFreq` batches, optionally only when the monitored value improves. It saves
// through model.save, so any URL or handler works (file://, indexeddb://, io.http, ...),
// with the optimizer state by default so that training can resume exactly.

import { BaseCallback, type CallbackModel, type Logs } from './callbacks.js';
import { monitorMode } from './early-stopping.js';
import type { IOHandler, SaveConfig } from '../io/types.js';

/**
 * Options of `callbacks.modelCheckpoint` (Keras's ModelCheckpoint).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const best = fe.callbacks.modelCheckpoint({ filepath: 'file://./best', monitor: 'val_loss', saveBestOnly: true, includeOptimizer: false });
 * await m.fit(x, x, { epochs: 3, validationSplit: 0.25, verbose: 0, callbacks: [best] }); // ./best holds the best epoch's model
 * ```
 */
export interface ModelCheckpointArgs {
  /**
   * Where to save: a URL, in which `{epoch}` and `{<log name>}` (optionally
   * `{val_loss:.2f}`) are filled in, or an IOHandler.
   */
  filepath: string | IOHandler;
  /** The log value that saveBestOnly watches. Default 'val_loss'. */
  monitor?: string;
  /** Save only when the monitored value improves on the best so far. Default false. */
  saveBestOnly?: boolean;
  /** 'min', 'max', or 'auto' (max for accuracy-like names). */
  mode?: 'auto' | 'min' | 'max';
  /** 'epoch' (default), or a number of batches between saves. */
  saveFreq?: 'epoch' | number;
  /** Save the optimizer's state too (needed to resume training exactly). Default true. */
  includeOptimizer?: boolean;
  /** 1 prints a line at each save. */
  verbose?: number;
}

interface SavableModel extends CallbackModel {
  save(target: IOHandler | string, config?: SaveConfig): Promise<unknown>;
}

/** Fills `{epoch}` (1-based, as Keras) and `{name}` / `{name:.Nf}` from the logs. */
export function formatCheckpointPath(path: string, epoch: number, logs: Logs): string {
  return path.replace(/\{(\w+)(?::\.(\d+)f)?\}/g, (whole, key: string, digits?: string) => {
    const v = key === 'epoch' ? epoch + 1 : logs[key];
    if (v === undefined) return whole;
    return digits === undefined ? String(v) : v.toFixed(Number(digits));
  });
}

/**
 * Saves the model during training (Keras's ModelCheckpoint), made by
 * `callbacks.modelCheckpoint(args)`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const save = fe.callbacks.modelCheckpoint({ filepath: 'file://./ckpt-{epoch}', monitor: 'loss', saveBestOnly: true });
 * await m.fit(x, x, { epochs: 2, verbose: 0, callbacks: [save] }); // ckpt-1/, then ckpt-2/ if the loss improved
 * ```
 */
export class ModelCheckpoint extends BaseCallback {
  /** {@inheritDoc ModelCheckpointArgs.monitor} */
  readonly monitor: string;
  /** {@inheritDoc ModelCheckpointArgs.saveBestOnly} */
  readonly saveBestOnly: boolean;
  /** {@inheritDoc ModelCheckpointArgs.mode} */
  readonly mode: 'min' | 'max';
  /** {@inheritDoc ModelCheckpointArgs.saveFreq} */
  readonly saveFreq: 'epoch' | number;
  /** {@inheritDoc ModelCheckpointArgs.includeOptimizer} */
  readonly includeOptimizer: boolean;
  /** {@inheritDoc ModelCheckpointArgs.verbose} */
  readonly verbose: number;
  /** The best monitored value so far (from -Infinity in 'max' mode). */
  best = Infinity;
  private batchesSinceSave = 0;
  private epoch = 0;

  constructor(private readonly args: ModelCheckpointArgs) {
    super();
    if (args === null || typeof args !== 'object' || args.filepath === undefined)
      throw new Error('ferrite: modelCheckpoint: needs {filepath} (a URL such as file://ckpt, or an IOHandler)');
    const f = args.filepath;
    if (typeof f !== 'string' && (f === null || typeof f !== 'object' || typeof f.save !== 'function'))
      throw new Error('ferrite: modelCheckpoint: filepath must be a URL string or an IOHandler with a save method');
    this.monitor = args.monitor ?? 'val_loss';
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.mode = monitorMode('modelCheckpoint', this.monitor, args.mode);
    this.saveFreq = args.saveFreq ?? 'epoch';
    if (this.saveFreq !== 'epoch' && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0))
      throw new Error(`ferrite: modelCheckpoint: saveFreq must be 'epoch' or a positive integer, got ${args.saveFreq}`);
    this.includeOptimizer = args.includeOptimizer ?? true;
    this.verbose = args.verbose ?? 0;
  }

  override onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.batchesSinceSave = 0;
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override async onBatchEnd(_batch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      await this.maybeSave(this.epoch, logs);
    }
  }

  override wantsBatchHooks(): boolean {
    return this.saveFreq !== 'epoch';
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') await this.maybeSave(epoch, logs);
  }

  private async maybeSave(epoch: number, logs: Logs): Promise<void> {
    const model = this.model as SavableModel | null;
    if (model === null || typeof model.save !== 'function') return;
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        console.warn(
          `ferrite: modelCheckpoint: '${this.monitor}' is not in the logs (available: ${Object.keys(logs).join(', ')}); not saving`,
        );
        return;
      }
      const better = this.mode === 'min' ? current < this.best : current > this.best;
      if (!better) return;
      this.best = current;
    }
    const f = this.args.filepath;
    const target = typeof f === 'string' ? formatCheckpointPath(f, epoch, logs) : f;
    if (this.verbose > 0)
      console.log(`Epoch ${epoch + 1}: saving model to ${typeof target === 'string' ? target : 'handler'}`);
    await model.save(target, { includeOptimizer: this.includeOptimizer });
  }
}

/** `callbacks.modelCheckpoint({filepath: 'file://ckpt', monitor: 'val_loss', saveBestOnly: true})`. */
export function modelCheckpoint(args: ModelCheckpointArgs): ModelCheckpoint {
  return new ModelCheckpoint(args);
}
