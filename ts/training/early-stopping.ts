// EarlyStopping, like `tf.callbacks.earlyStopping` / Keras's: stops training when a
// monitored value has not improved for `patience` epochs, and can restore the weights
// of the best epoch (Keras 3 semantics: restored at the end of training).

import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { BaseCallback, type Logs } from './callbacks.js';

/**
 * Options of `callbacks.earlyStopping` (TF.js's EarlyStoppingCallbackArgs, plus Keras's restoreBestWeights and startFromEpoch).
 */
export interface EarlyStoppingArgs {
  /** The log value watched. Default 'val_loss'. */
  monitor?: string;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** 'min', 'max', or 'auto' (max for accuracy-like names, else min). */
  mode?: 'auto' | 'min' | 'max';
  /** Training stops unless the value gets better than this. */
  baseline?: number;
  /** Put back the weights of the best epoch when training ends. */
  restoreBestWeights?: boolean;
  /** 1 prints when it stops / restores. */
  verbose?: number;
  /** Epochs to wait before watching at all (warm-up). Default 0. */
  startFromEpoch?: number;
}

/** 'min' or 'max' for a monitored log value: 'auto' is max for accuracy-like names (Keras's rule). */
export function monitorMode(who: string, monitor: string, mode: 'auto' | 'min' | 'max' = 'auto'): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max')
    throw new Error(`ferrite: ${who}: mode must be 'auto', 'min' or 'max', got '${mode}'`);
  return mode === 'auto' ? (/acc|auc|precision|recall|f1/.test(monitor) ? 'max' : 'min') : mode;
}

/**
 * Stops `fit` when a monitored value (default 'val_loss') stops improving for `patience`
 * epochs, as TF.js's `tf.callbacks.earlyStopping` (Keras's EarlyStopping).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const stop = fe.callbacks.earlyStopping({ monitor: 'loss', minDelta: 0.01, patience: 3, restoreBestWeights: true });
 * const h = await m.fit(x, x, { epochs: 100, verbose: 0, callbacks: [stop] });
 * h.epoch.length < 100; // true: it ended when the loss stopped falling by 0.01 an epoch
 * ```
 */
export class EarlyStopping extends BaseCallback {
  /** {@inheritDoc EarlyStoppingArgs.monitor} */
  readonly monitor: string;
  /** {@inheritDoc EarlyStoppingArgs.minDelta} */
  readonly minDelta: number;
  /** {@inheritDoc EarlyStoppingArgs.patience} */
  readonly patience: number;
  /** {@inheritDoc EarlyStoppingArgs.mode} */
  readonly mode: 'min' | 'max';
  /** {@inheritDoc EarlyStoppingArgs.baseline} */
  readonly baseline?: number;
  /** {@inheritDoc EarlyStoppingArgs.restoreBestWeights} */
  readonly restoreBestWeights: boolean;
  /** {@inheritDoc EarlyStoppingArgs.verbose} */
  readonly verbose: number;
  /** {@inheritDoc EarlyStoppingArgs.startFromEpoch} */
  readonly startFromEpoch: number;

  /** Epochs since the monitored value last improved. */
  wait = 0;
  /** Epoch at which training was stopped (0 if it was not). */
  stoppedEpoch = 0;
  /** The best monitored value so far (from -Infinity in 'max' mode). */
  best = Infinity;
  /** The epoch of the best value. */
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.verbose = args.verbose ?? 0;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new Error(`ferrite: earlyStopping: patience must be an integer >= 0, got ${args.patience}`);
    this.mode = monitorMode('earlyStopping', this.monitor, args.mode);
  }

  private improves(value: number, reference: number): boolean {
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = 0;
    this.releaseBest();
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      if (epoch === (this.params?.initialEpoch ?? 0)) {
        console.warn(
          `ferrite: earlyStopping: '${this.monitor}' is not in the logs (available: ${Object.keys(logs).join(', ')})`,
        );
      }
      return;
    }
    if (epoch < this.startFromEpoch) return;
    const improved = this.improves(current, this.best);
    // If nothing ever improves, the first epoch's weights are the ones to restore.
    if (this.restoreBestWeights && (improved || this.bestWeights === null)) this.saveBest();
    this.wait++;
    if (improved) {
      this.best = current;
      this.bestEpoch = epoch;
      // Patience restarts only when the value also beats the baseline.
      if (this.baseline === undefined || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      if (this.model) this.model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null && this.model) {
      if (this.verbose > 0)
        console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model.setWeights(this.bestWeights);
    }
    this.releaseBest();
  }

  private saveBest(): void {
    if (!this.model) return;
    this.releaseBest();
    this.bestWeights = this.model.getWeights().map((w) => keep(w));
  }

  override release(): void {
    this.releaseBest();
  }

  private releaseBest(): void {
    if (this.bestWeights) for (const w of this.bestWeights) w.dispose();
    this.bestWeights = null;
  }
}

/** `callbacks.earlyStopping({monitor: 'val_loss', patience: 3, restoreBestWeights: true})`. */
export function earlyStopping(args: EarlyStoppingArgs = {}): EarlyStopping {
  return new EarlyStopping(args);
}
