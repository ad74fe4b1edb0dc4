// Argument checks shared by the Layers losses built from ops.

import { checkInputs, fmtShape, sameShape } from '../ops/util.js';
import type { Tensor } from '../tensor/tensor.js';

/** yTrue and yPred must be float tensors of one shape (a per-sample loss pairs them element by element). */
export function checkPair(op: string, yTrue: Tensor, yPred: Tensor): void {
  checkInputs(op, yTrue, yPred);
  if (!sameShape(yTrue.shape, yPred.shape)) {
    throw new Error(
      `ferrite: ${op}: yTrue has shape ${fmtShape(yTrue.shape)} and yPred ${fmtShape(yPred.shape)}; they must match`,
    );
  }
  if (yPred.dtype !== 'float32') throw new Error(`ferrite: ${op}: yPred must be float32, got ${yPred.dtype}`);
}
