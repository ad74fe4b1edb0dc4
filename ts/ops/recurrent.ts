// The fused recurrent sequences (LSTM, GRU, SimpleRNN) and their backpropagation through
// time, each as one op with several outputs (the sequence, the last h, and the LSTM's last
// c): the tape gives its backward the gradient of each output that is used, null for the
// others. Kernels: core-rs/src/recurrent.rs.

import { isRecording, recordMulti } from '../autograd/tape.js';
import { RnnActivation, RnnCell } from '../backend/core-abi.js';
import { writeParams } from '../backend/param-block.js';
import { emptyTensor, writable, type Tensor } from '../tensor/tensor.js';
import { checkInputs, fmtShape, sameShape } from './util.js';

/** The activations the fused kernels have, by their TF.js names. */
const ACTIVATIONS: Record<string, RnnActivation> = {
  linear: RnnActivation.LINEAR,
  tanh: RnnActivation.TANH,
  sigmoid: RnnActivation.SIGMOID,
  hardSigmoid: RnnActivation.HARD_SIGMOID,
  relu: RnnActivation.RELU,
};

/** The kernel code of a TF.js activation name, or an error naming `who`. */
export function rnnActivationCode(name: string, who: string): RnnActivation {
  const code = ACTIVATIONS[name];
  if (code === undefined) {
    throw new Error(
      `ferrite: ${who}: activation '${name}' is not supported in recurrent cells (one of ${Object.keys(ACTIVATIONS).join(', ')})`,
    );
  }
  return code;
}

export interface RnnOptions {
  activation: RnnActivation;
  recurrentActivation: RnnActivation;
  goBackwards: boolean;
  /**
   * Recurrent dropout: a [batch, units] multiplier of h_prev at every step (TF.js's
   * semantics, see core-rs/src/recurrent.rs), or none. Not differentiated.
   */
  recurrentMask?: Tensor | null;
  /** Test hook: run the naive reference forward instead (no gradient). */
  naive?: boolean;
}

/** The op name, the gate blocks per unit and the bias rows of each cell. */
const CELLS: Record<RnnCell, { op: string; gates: number; biasRows: number }> = {
  [RnnCell.CELL_LSTM]: { op: 'lstm', gates: 4, biasRows: 1 },
  [RnnCell.CELL_GRU]: { op: 'gru', gates: 3, biasRows: 1 },
  [RnnCell.CELL_GRU_RESET_AFTER]: { op: 'gru', gates: 3, biasRows: 2 },
  [RnnCell.CELL_SIMPLE]: { op: 'simpleRNN', gates: 1, biasRows: 1 },
};

/**
 * A recurrent sequence over x [batch, time, input] with kernel [input, G u],
 * recurrentKernel [u, G u], bias [G u] ([2, 3u] for the reset_after GRU) or null,
 * initial states (h0, and c0 for the LSTM) [batch, u] and mask [batch, time] (1 keeps a
 * step, 0 carries the state through it) or null. Returns [y [batch, time, u], ...final states].
 */
function rnnSequence(
  cell: RnnCell,
  x: Tensor,
  { kernel, recurrentKernel, bias }: RnnWeights,
  states: Tensor[],
  mask: Tensor | null,
  opts: RnnOptions,
): Tensor[] {
  const { op, gates: G, biasRows } = CELLS[cell];
  const lstm = cell === RnnCell.CELL_LSTM;
  const [h0, c0] = [states[0], lstm ? states[1] : null];
  const recMask = opts.recurrentMask ?? null;
  const optional = [bias, c0, mask, recMask].filter((t): t is Tensor => t !== null);
  const eng = checkInputs(op, x, kernel, recurrentKernel, h0, ...optional);
  if (x.rank !== 3) throw new Error(`ferrite: ${op}: x must be [batch, time, features], got ${fmtShape(x.shape)}`);
  const [batch, time, input] = x.shape;
  const units = recurrentKernel.shape[0];
  const expect = (t: Tensor, shape: number[], what: string): void => {
    if (!sameShape(t.shape, shape))
      throw new Error(`ferrite: ${op}: ${what} must have shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`);
  };
  expect(kernel, [input, G * units], 'kernel');
  expect(recurrentKernel, [units, G * units], 'recurrentKernel');
  if (bias) expect(bias, biasRows === 1 ? [G * units] : [biasRows, G * units], 'bias');
  expect(h0, [batch, units], 'initial h');
  if (c0) expect(c0, [batch, units], 'initial c');
  if (mask) expect(mask, [batch, time], 'mask');
  if (recMask) expect(recMask, [batch, units], 'recurrent dropout mask');
  const y = emptyTensor([batch, time, units], 'float32', eng);
  const aux = cell === RnnCell.CELL_SIMPLE ? null : emptyTensor([batch, time, units], 'float32', eng);
  const gates = emptyTensor([batch, time, G * units], 'float32', eng);
  const hLast = emptyTensor([batch, units], 'float32', eng);
  const cLast = lstm ? emptyTensor([batch, units], 'float32', eng) : null;
  const outputs = cLast ? [y, hLast, cLast] : [y, hLast];
  const fwd = [x, kernel, recurrentKernel, bias, h0, c0, mask, recMask, y, aux, gates, hLast, cLast].map(
    (t) => t?.ptr ?? 0,
  );
  const flags = [cell, opts.activation, opts.recurrentActivation, opts.goBackwards ? 1 : 0] as const;
  const run = opts.naive ? eng.core.fe_rnn_forward_naive : eng.core.fe_rnn_forward;
  run(writeParams(eng, fwd, fwd.length), batch, time, input, units, ...flags);
  const scratch = aux ? [gates, aux] : [gates];
  if (!isRecording()) {
    // What backward reads is not needed: inference keeps only the outputs.
    for (const t of scratch) t.dispose();
    return outputs;
  }
  // The masks are read by backward too: held until the sweep is done.
  const saved = [...scratch, ...[mask, recMask].filter((t): t is Tensor => t !== null)];
  const params = [x, kernel, recurrentKernel, bias, h0, c0];
  const inputs = params.filter((t): t is Tensor => t !== null);
  recordMulti(
    op.toUpperCase(),
    inputs,
    outputs,
    ([dy, dh, dc], needed) => {
      const like = (t: Tensor | null): Tensor | null => (t ? emptyTensor(t.shape, 'float32', eng) : null);
      const grads = [needed[0] ? x : null, kernel, recurrentKernel, bias, h0, c0].map(like);
      // The kernel turns `gates` (and aux) into gradients in place: a record's backward
      // runs once per sweep.
      for (const t of scratch) writable(t, `${op.toUpperCase()} backward`);
      const ptrs = [...fwd, ...[dy, dh, dc ?? null, ...grads].map((t) => t?.ptr ?? 0)];
      eng.core.fe_rnn_backward(writeParams(eng, ptrs, ptrs.length), batch, time, input, units, ...flags);
      return grads.filter((_, k) => params[k] !== null);
    },
    saved,
  );
  return outputs;
}

/** The weights of a recurrent layer: kernel [input, G u], recurrentKernel [u, G u], bias or null. */
export interface RnnWeights {
  kernel: Tensor;
  recurrentKernel: Tensor;
  bias: Tensor | null;
}

/** LSTM (gates i, f, c, o) from states [h0, c0]: returns [y, h, c]. */
export function lstmSequence(
  x: Tensor,
  w: RnnWeights,
  states: [Tensor, Tensor],
  mask: Tensor | null,
  opts: RnnOptions,
): [Tensor, Tensor, Tensor] {
  const [y, h, c] = rnnSequence(RnnCell.CELL_LSTM, x, w, states, mask, opts);
  return [y, h, c];
}

/**
 * GRU (gates z, r, h): TF.js's form, or with `resetAfter` Keras's (the reset gate applied
 * after the recurrent projection, bias [2, 3u]: input bias, recurrent bias). Returns [y, h].
 */
export function gruSequence(
  x: Tensor,
  w: RnnWeights,
  h0: Tensor,
  mask: Tensor | null,
  opts: RnnOptions & { resetAfter: boolean },
): [Tensor, Tensor] {
  const cell = opts.resetAfter ? RnnCell.CELL_GRU_RESET_AFTER : RnnCell.CELL_GRU;
  const [y, h] = rnnSequence(cell, x, w, [h0], mask, opts);
  return [y, h];
}

/** SimpleRNN, h = activation(x W + b + h_prev R): returns [y, h]. */
export function simpleRNNSequence(
  x: Tensor,
  w: RnnWeights,
  h0: Tensor,
  mask: Tensor | null,
  opts: Omit<RnnOptions, 'recurrentActivation'>,
): [Tensor, Tensor] {
  const full = { ...opts, recurrentActivation: RnnActivation.LINEAR };
  const [y, h] = rnnSequence(RnnCell.CELL_SIMPLE, x, w, [h0], mask, full);
  return [y, h];
}
