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
 * await model.fit(x, y, { epochs: 10, callbacks: [new TerminateOnNaN()] });
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

  /** fit calls this instead of throwing; prints as Keras does. */
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
