// Loss ops over rows: the fused softmax cross-entropy the models use when the last layer
// is a softmax, sigmoid cross-entropy from logits, and the two runners the Keras-style
// losses in ts/losses/ are built on. Kernels: core-rs/src/loss.rs.
//
// Shapes: a loss reduces the last axis. Predictions [..., C] give per-row losses [...].
// Targets have the predictions' shape; as in Keras, a trailing axis of size 1 on either
// side is ignored ([batch] targets against [batch, 1] predictions). Class-index labels
// have the predictions' shape without the last axis (or with a trailing 1).
//
// NaN: the kernels do not look for NaN (that would cost a pass over every batch); a NaN
// input gives a NaN loss, which the training loop detects.
//
// Gradients: with respect to the predictions always, and to float32 targets too (for
// soft labels that are themselves computed). A backward that is told which inputs need
// gradients (a second `needed` argument) skips the targets' when it is false.

import { record, isRecording } from '../autograd/tape.js';
import { perEngine, type Engine } from '../backend/engine.js';
import { emptyTensor, sizeOf, type Shape, type Tensor } from '../tensor/tensor.js';
import { checkFloat, checkInputs, fmtShape, sameShape } from './util.js';

/** Keras' backend epsilon: probabilities are clipped to [EPSILON, 1 - EPSILON]. */
export const EPSILON = 1e-7;

/** The row layout two same-layout tensors share: `rows` losses over `cols` values each. */
export interface RowLayout {
  rows: number;
  cols: number;
  /** Shape of the per-row loss. */
  outShape: number[];
}

/**
 * Row layout of a (target, prediction) pair of equal shapes, or shapes that differ by a
 * trailing axis of size 1 (Keras squeezes it, or expands a rank-1 target). Throws naming
 * both shapes otherwise.
 */
export function pairLayout(op: string, yTrue: Tensor, yPred: Tensor): RowLayout {
  const t = yTrue.shape;
  const p = yPred.shape;
  let work: Shape | undefined;
  if (sameShape(t, p)) work = p;
  else if (t.length === p.length + 1 && t[t.length - 1] === 1 && sameShape(t.slice(0, -1), p))
    work = p.length === 1 ? t : p;
  else if (p.length === t.length + 1 && p[p.length - 1] === 1 && sameShape(p.slice(0, -1), t))
    work = t.length === 1 ? p : t;
  if (work === undefined) {
    throw new Error(`ferrite: ${op}: yTrue ${fmtShape(t)} and yPred ${fmtShape(p)} must have the same shape`);
  }
  if (work.length === 0) return { rows: 1, cols: 1, outShape: [] };
  return { rows: sizeOf(work.slice(0, -1)), cols: work[work.length - 1], outShape: work.slice(0, -1) };
}

/**
 * Row layout of class-index labels against [..., C] predictions: labels shaped [...] or
 * [..., 1], int32 or float32 holding integers.
 */
export function labelsLayout(op: string, labels: Tensor, pred: Tensor): RowLayout {
  if (pred.rank < 1) throw new Error(`ferrite: ${op}: predictions must have a class axis, got a scalar`);
  const lead = pred.shape.slice(0, -1);
  const l = labels.shape;
  const ok =
    sameShape(l, lead) || (l.length === lead.length + 1 && l[l.length - 1] === 1 && sameShape(l.slice(0, -1), lead));
  if (!ok) {
    throw new Error(
      `ferrite: ${op}: labels ${fmtShape(l)} must be ${fmtShape(lead)} or ${fmtShape([...lead, 1])} ` +
        `(one class index per row of predictions ${fmtShape(pred.shape)})`,
    );
  }
  const cols = pred.shape[pred.rank - 1];
  if (cols < 1) throw new Error(`ferrite: ${op}: predictions ${fmtShape(pred.shape)} have no classes`);
  return { rows: sizeOf(lead), cols, outShape: lead };
}

/** The error for the label at flat index `at` that a kernel rejected. */
function badLabel(op: string, labels: Tensor, at: number, classes: number): Error {
  const v = labels.view()[at];
  const idx: number[] = [];
  let rem = at;
  for (let d = labels.rank - 1; d >= 0; d--) {
    idx.unshift(rem % labels.shape[d]);
    rem = Math.floor(rem / labels.shape[d]);
  }
  const what = Number.isInteger(v) ? `is outside [0, ${classes})` : `is not an integer class index in [0, ${classes})`;
  return new Error(
    `ferrite: ${op}: label ${v} at position [${idx.join(', ')}] of labels ${fmtShape(labels.shape)} ${what}`,
  );
}

/** A float32 view of `t`: itself, or a converted copy (int32 targets, as Keras casts them). */
function asFloat(t: Tensor, eng: Engine): { f: Tensor; temp: boolean } {
  if (t.dtype === 'float32') return { f: t, temp: false };
  const f = emptyTensor(t.shape, 'float32', eng);
  f.view().set(t.view());
  return { f, temp: true };
}

/**
 * A (target, prediction) row loss: forward(t, p, loss, rows, cols, ...extra) and
 * backward(t, p, dloss, dp, dt or 0, rows, cols, ...extra). t, p, dp, dt are (rows, cols),
 * loss and dloss (rows).
 */
interface PairKernels {
  forward: (t: number, p: number, loss: number, rows: number, cols: number, ...extra: number[]) => void;
  backward: (
    t: number,
    p: number,
    dloss: number,
    dp: number,
    dt: number,
    rows: number,
    cols: number,
    ...extra: number[]
  ) => void;
}

/** The pair losses of core-rs/src/loss.rs, by kernel name. */
const pairKernels = perEngine(
  ({ core }) =>
    ({
      mse: { forward: core.fe_mse_forward, backward: core.fe_mse_backward },
      mae: { forward: core.fe_mae_forward, backward: core.fe_mae_backward },
      huber: { forward: core.fe_huber_forward, backward: core.fe_huber_backward },
      bce: { forward: core.fe_bce_forward, backward: core.fe_bce_backward },
      bce_logits: { forward: core.fe_bce_logits_forward, backward: core.fe_bce_logits_backward },
      cce: { forward: core.fe_cce_forward, backward: core.fe_cce_backward },
      softmax_ce: { forward: core.fe_softmax_ce_forward, backward: core.fe_softmax_ce_backward },
    }) satisfies Record<string, PairKernels>,
);

export type PairLossKernel = keyof ReturnType<typeof pairKernels>;

/**
 * A class-index row loss: forward(labels, labelsAreFloat, x, loss, rows, cols, ...extra)
 * and backward(labels, labelsAreFloat, x, dloss, dx, rows, cols, ...extra), both
 * returning -1 or the flat index of a bad label. x, dx are (rows, cols); labels, loss,
 * dloss (rows).
 */
interface LabelsKernels {
  forward: (
    labels: number,
    labelsAreFloat: number,
    x: number,
    loss: number,
    rows: number,
    cols: number,
    ...extra: number[]
  ) => number;
  backward: (
    labels: number,
    labelsAreFloat: number,
    x: number,
    dloss: number,
    dx: number,
    rows: number,
    cols: number,
    ...extra: number[]
  ) => number;
}

/** The class-index losses of core-rs/src/loss.rs, by kernel name. */
const labelsKernels = perEngine(
  ({ core }) =>
    ({
      sparse_cce: { forward: core.fe_sparse_cce_forward, backward: core.fe_sparse_cce_backward },
      sparse_softmax_ce: { forward: core.fe_sparse_softmax_ce_forward, backward: core.fe_sparse_softmax_ce_backward },
    }) satisfies Record<string, LabelsKernels>,
);

export type LabelsLossKernel = keyof ReturnType<typeof labelsKernels>;

/** Runs the pair loss `kernel` over `layout`, recording its backward; inputs are checked. */
function rowLoss(
  recordName: string,
  kernel: PairLossKernel,
  yTrue: Tensor,
  yPred: Tensor,
  { rows, cols, outShape }: RowLayout,
  extra: number[],
): Tensor {
  const eng = yPred.engine;
  const { forward, backward }: PairKernels = pairKernels(eng)[kernel];
  const { f: t, temp } = asFloat(yTrue, eng);
  const loss = emptyTensor(outShape, 'float32', eng);
  forward(t.ptr, yPred.ptr, loss.ptr, rows, cols, ...extra);
  if (isRecording()) {
    record(
      recordName,
      [yTrue, yPred],
      loss,
      (dy: Tensor, needed?: readonly boolean[]) => {
        const dp = emptyTensor(yPred.shape, 'float32', eng);
        const dt = !temp && (needed?.[0] ?? true) ? emptyTensor(yTrue.shape, 'float32', eng) : null;
        backward(t.ptr, yPred.ptr, dy.ptr, dp.ptr, dt ? dt.ptr : 0, rows, cols, ...extra);
        return [dt, dp];
      },
      temp ? [t] : [],
    );
  } else if (temp) {
    t.dispose();
  }
  return loss;
}

/** Runs a (target, prediction) row loss over the last axis (see `PairKernels`). */
export function pairLoss(
  op: string,
  recordName: string,
  kernel: PairLossKernel,
  yTrue: Tensor,
  yPred: Tensor,
  extra: number[] = [],
): Tensor {
  checkInputs(op, yTrue, yPred);
  checkFloat(op, yPred, 'yPred');
  return rowLoss(recordName, kernel, yTrue, yPred, pairLayout(op, yTrue, yPred), extra);
}

/** Runs a class-index row loss (see `LabelsKernels`); a bad label is an error naming it. */
export function labelsLoss(
  op: string,
  recordName: string,
  kernel: LabelsLossKernel,
  labels: Tensor,
  pred: Tensor,
  extra: number[] = [],
): Tensor {
  const eng = checkInputs(op, labels, pred);
  checkFloat(op, pred, 'predictions');
  const { rows, cols, outShape } = labelsLayout(op, labels, pred);
  const { forward, backward }: LabelsKernels = labelsKernels(eng)[kernel];
  const isFloat = labels.dtype === 'float32' ? 1 : 0;
  const loss = emptyTensor(outShape, 'float32', eng);
  const bad = forward(labels.ptr, isFloat, pred.ptr, loss.ptr, rows, cols, ...extra);
  if (bad >= 0) {
    loss.dispose();
    throw badLabel(op, labels, bad, cols);
  }
  record(recordName, [labels, pred], loss, (dy) => {
    const dx = emptyTensor(pred.shape, 'float32', eng);
    const badNow = backward(labels.ptr, isFloat, pred.ptr, dy.ptr, dx.ptr, rows, cols, ...extra);
    if (badNow >= 0) {
      dx.dispose();
      throw badLabel(op, labels, badNow, cols);
    }
    return [null, dx];
  });
  return loss;
}

/**
 * Cross-entropy between `labels` (a distribution per row, usually one-hot) and
 * softmax(logits), over the last axis, as TF's softmax_cross_entropy_with_logits:
 * Σ labels (logsumexp(logits) - logits). [..., C] and [..., C] give [...]. Gradient
 * with respect to the logits (softmax Σlabels - labels) dy, one kernel pass.
 */
export function softmaxCrossEntropyWithLogits(labels: Tensor, logits: Tensor): Tensor {
  const op = 'softmaxCrossEntropyWithLogits';
  checkInputs(op, labels, logits);
  if (logits.rank < 1) throw new Error(`ferrite: ${op}: logits must have a class axis, got a scalar`);
  if (!sameShape(labels.shape, logits.shape)) {
    throw new Error(
      `ferrite: ${op}: labels ${fmtShape(labels.shape)} and logits ${fmtShape(logits.shape)} must have the same shape`,
    );
  }
  return pairLoss(op, 'SoftmaxCrossEntropyWithLogits', 'softmax_ce', labels, logits);
}

/**
 * Cross-entropy of softmax(logits) at the class index of each row, as TF's
 * sparse_softmax_cross_entropy_with_logits: logsumexp(logits) - logits[label].
 * labels: int32 (or integer-valued float32) [...] or [..., 1]; logits [..., C]; gives [...].
 * A label outside [0, C) is an error naming it and its position.
 */
export function sparseSoftmaxCrossEntropyWithLogits(labels: Tensor, logits: Tensor): Tensor {
  return labelsLoss(
    'sparseSoftmaxCrossEntropyWithLogits',
    'SparseSoftmaxCrossEntropyWithLogits',
    'sparse_softmax_ce',
    labels,
    logits,
  );
}

/**
 * Elementwise logistic cross-entropy, as TF's sigmoid_cross_entropy_with_logits:
 * max(x, 0) - x z + log(1 + e^-|x|), stable for any logit. Same-shape labels and logits.
 */
export function sigmoidCrossEntropyWithLogits(labels: Tensor, logits: Tensor): Tensor {
  const op = 'sigmoidCrossEntropyWithLogits';
  checkInputs(op, labels, logits);
  if (!sameShape(labels.shape, logits.shape)) {
    throw new Error(
      `ferrite: ${op}: labels ${fmtShape(labels.shape)} and logits ${fmtShape(logits.shape)} must have the same shape`,
    );
  }
  checkFloat(op, logits, 'logits');
  // Each element is its own row of one: the kernel's row mean is the element itself.
  const layout = { rows: logits.size, cols: 1, outShape: [...logits.shape] };
  return rowLoss('SigmoidCrossEntropyWithLogits', 'bce_logits', labels, logits, layout, []);
}
