// TerminateOnNaN, like Keras's `callbacks.TerminateOnNaN`: a quiet stop instead of an error.
//
// Ferrite refuses every training step whose loss or gradients are not finite (the weights
// keep the last finite step's values), and by default fit then rejects, naming the epoch
// and batch. With this callback fit instead ends that epoch early, runs the epoch and
// training hooks, and resolves with the History so far, as Keras does when the loss
// becomes NaN. (TF.js has no such callback and trains on through NaN.)

import { BaseCallback } from './callbacks.js';

/**
 * Ends `fit` when a batch's loss is NaN or infinite, as Keras's TerminateOnNaN, resolving
 * with the History so far.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const stop = new fe.TerminateOnNaN();
 * const h = await m.fit(fe.tensor2d([[1e20]]), fe.tensor2d([[0]]), { epochs: 10, verbose: 0, callbacks: [stop] });
 * stop.stopped; // { epoch: 0, batch: 0, what: 'loss', value: Infinity }: the squared error overflowed
 * h.epoch; // [0]: fit resolved instead of throwing
 * ```
 */
export class TerminateOnNaN extends BaseCallback {
  /** The refused value and where it happened, once training was stopped. */
  stopped: {
    /** The epoch (0-based). */
    epoch: number;
    /** The batch within the epoch (0-based). */
    batch: number;
    /** Which value: 'loss', 'gradient of <weight>' or 'update of <weight>'. */
    what: string;
    /** The value (NaN or infinite). */
    value: number;
  } | null = null;

  /**
   * fit calls this instead of throwing; prints as Keras does.
   *
   * @example
   * ```ts
   * const stop = fe.callbacks.terminateOnNaN();
   * stop.onNonFinite(0, 3, 'loss', NaN); // what fit calls: prints 'Batch 3: Invalid loss (NaN), terminating training'
   * stop.stopped; // { epoch: 0, batch: 3, what: 'loss', value: NaN }
   * ```
   */
  onNonFinite(epoch: number, batch: number, what: string, value: number): void {
    this.stopped = { epoch, batch, what, value };
    console.log(`Batch ${batch}: Invalid ${what === 'loss' ? 'loss' : what} (${value}), terminating training`);
    if (this.model) this.model.stopTraining = true;
  }
}

/** `callbacks.terminateOnNaN()`: stop fit quietly when a step's loss or gradients are not finite. */
export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
