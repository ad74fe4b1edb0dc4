// Keras's learning-rate callbacks (TF.js has neither): ReduceLROnPlateau lowers the
// optimizer's rate when a monitored value stops improving; LearningRateScheduler sets it
// at the start of each epoch from a function of the epoch. Both log the rate as 'learning_rate' (Keras 3's key).

import { BaseCallback, type CallbackModel, type Logs } from './callbacks.js';
import { monitorMode } from './early-stopping.js';
import type { Optimizer } from '../optimizers/optimizer.js';

/** The optimizer of the model a callback is attached to (a clear error when there is none). */
function optimizerOf(who: string, model: CallbackModel | undefined | null): Optimizer {
  const opt = (model as { optimizer?: Optimizer } | null | undefined)?.optimizer;
  if (!opt) throw new Error(`ferrite: ${who}: the model has no optimizer (compile it first)`);
  return opt;
}

/**
 * Options of `callbacks.reduceLROnPlateau` (Keras's ReduceLROnPlateau).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: fe.train.sgd(0.01), loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const reduce = fe.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 10, minLr: 0.001 });
 * await m.fit(x, x, { epochs: 4, verbose: 0, callbacks: [reduce] });
 * (m.optimizer as fe.Optimizer).learningRate < 0.01; // true: halved whenever the loss fell by less than 10
 * ```
 */
export interface ReduceLROnPlateauArgs {
  /** The log value watched. Default 'val_loss'. */
  monitor?: string;
  /** The rate is multiplied by this, in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before the rate is lowered. Default 10. */
  patience?: number;
  /** 1 prints each change. */
  verbose?: number;
  /** 'min', 'max' or 'auto' (max for accuracy-like names). */
  mode?: 'auto' | 'min' | 'max';
  /** Smallest change that counts as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before watching again. Default 0. */
  cooldown?: number;
  /** The rate never goes below this. Default 0. */
  minLr?: number;
}

/**
 * Lowers the learning rate by `factor` when the monitored value stops improving for
 * `patience` epochs (Keras's ReduceLROnPlateau), made by `callbacks.reduceLROnPlateau`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const reduce = fe.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2 });
 * await m.fit(x, x, { epochs: 5, verbose: 0, callbacks: [reduce] });
 * ```
 */
export class ReduceLROnPlateau extends BaseCallback {
  /** {@inheritDoc ReduceLROnPlateauArgs.monitor} */
  readonly monitor: string;
  /** {@inheritDoc ReduceLROnPlateauArgs.factor} */
  readonly factor: number;
  /** {@inheritDoc ReduceLROnPlateauArgs.patience} */
  readonly patience: number;
  /** {@inheritDoc ReduceLROnPlateauArgs.verbose} */
  readonly verbose: number;
  /** {@inheritDoc ReduceLROnPlateauArgs.mode} */
  readonly mode: 'min' | 'max';
  /** {@inheritDoc ReduceLROnPlateauArgs.minDelta} */
  readonly minDelta: number;
  /** {@inheritDoc ReduceLROnPlateauArgs.cooldown} */
  readonly cooldown: number;
  /** {@inheritDoc ReduceLROnPlateauArgs.minLr} */
  readonly minLr: number;
  /** Epochs since the monitored value last improved. */
  wait = 0;
  /** Epochs left before watching again after a reduction. */
  cooldownCounter = 0;
  /** The best monitored value so far (from -Infinity in 'max' mode). */
  best = Infinity;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = args.factor ?? 0.1;
    this.patience = args.patience ?? 10;
    this.verbose = args.verbose ?? 0;
    this.minDelta = args.minDelta ?? 1e-4;
    this.cooldown = args.cooldown ?? 0;
    this.minLr = args.minLr ?? 0;
    if (!(this.factor >= 0 && this.factor < 1))
      throw new Error(`ferrite: reduceLROnPlateau: factor must be in [0, 1) (a reduction), got ${args.factor}`);
    if (!Number.isInteger(this.patience) || this.patience < 0)
      throw new Error(`ferrite: reduceLROnPlateau: patience must be an integer >= 0, got ${args.patience}`);
    this.mode = monitorMode('reduceLROnPlateau', this.monitor, args.mode);
  }

  private improves(value: number): boolean {
    return this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const opt = optimizerOf('reduceLROnPlateau', this.model);
    logs.learning_rate = opt.learningRate;
    const current = logs[this.monitor];
    if (current === undefined) {
      if (epoch === (this.params?.initialEpoch ?? 0))
        console.warn(
          `ferrite: reduceLROnPlateau: '${this.monitor}' is not in the logs (available: ${Object.keys(logs).join(', ')})`,
        );
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (this.improves(current)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait++;
    if (this.wait < this.patience) return;
    const old = opt.learningRate;
    if (old > this.minLr) {
      const lr = Math.max(old * this.factor, this.minLr);
      opt.learningRate = lr;
      if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${lr}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}

/** `callbacks.reduceLROnPlateau({monitor: 'val_loss', factor: 0.5, patience: 2})`. */
export function reduceLROnPlateau(args: ReduceLROnPlateauArgs = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(args);
}

/**
 * The rate for `epoch` (0-based) given the current rate.
 *
 * @example
 * ```ts
 * const warmup = (epoch: number, lr: number) => (epoch < 3 ? 0.001 * (epoch + 1) : lr);
 * fe.callbacks.learningRateScheduler(warmup); // 0.001, 0.002, 0.003, then as it is
 * ```
 */
export type Schedule = (epoch: number, lr: number) => number;

/**
 * Sets the learning rate at the start of each epoch from `schedule(epoch, lr)` (Keras's
 * LearningRateScheduler), made by `callbacks.learningRateScheduler(schedule)`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const halve = fe.callbacks.learningRateScheduler((epoch, lr) => (epoch > 0 ? lr / 2 : lr));
 * await m.fit(x, x, { epochs: 3, verbose: 0, callbacks: [halve] });
 * (m.optimizer as fe.Optimizer).learningRate; // 0.0025: 0.01 halved twice
 * ```
 */
export class LearningRateScheduler extends BaseCallback {
  constructor(
    /** The rate for each epoch given the current rate. */
    readonly schedule: Schedule,
    /** 1 prints each change. */
    readonly verbose = 0,
  ) {
    super();
    if (typeof schedule !== 'function')
      throw new Error(`ferrite: learningRateScheduler: schedule must be a function (epoch, lr) => number`);
  }

  override onEpochBegin(epoch: number): void {
    const opt = optimizerOf('learningRateScheduler', this.model);
    const lr = this.schedule(epoch, opt.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
      throw new Error(`ferrite: learningRateScheduler: the schedule returned ${String(lr)} for epoch ${epoch}`);
    opt.learningRate = lr;
    if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    logs.learning_rate = optimizerOf('learningRateScheduler', this.model).learningRate;
  }
}

/** `callbacks.learningRateScheduler((epoch, lr) => epoch < 10 ? lr : lr * 0.9)`. */
export function learningRateScheduler(schedule: Schedule, verbose = 0): LearningRateScheduler {
  return new LearningRateScheduler(schedule, verbose);
}
