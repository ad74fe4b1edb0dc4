// The fused LSTM over a whole sequence and its backpropagation through time, as one op
// with three outputs (the sequence, the last h, the last c): the tape gives its backward
// the gradient of each output that is used, null for the others.
// Kernels: core-rs/src/recurrent.rs.

import { isRecording, recordMulti } from '../autograd/tape.js';
import { RnnActivation } from '../backend/core-abi.js';
import { writeParams } from '../backend/param-block.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { checkInputs, fmtShape } from './util.js';

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

export interface LstmOptions {
  activation: RnnActivation;
  recurrentActivation: RnnActivation;
  goBackwards: boolean;
  /** Test hook: run the naive reference forward instead (no gradient). */
  naive?: boolean;
}

/**
 * LSTM over x [batch, time, input] with kernel [input, 4u], recurrentKernel [u, 4u],
 * bias [4u] or null, initial states h0, c0 [batch, u] and mask [batch, time] (1 keeps a
 * step, 0 carries the state through it) or null. Returns [y [batch, time, u], h, c].
 */
export function lstmSequence(
  x: Tensor,
  kernel: Tensor,
  recurrentKernel: Tensor,
  bias: Tensor | null,
  h0: Tensor,
  c0: Tensor,
  mask: Tensor | null,
  opts: LstmOptions,
): [Tensor, Tensor, Tensor] {
  const eng = checkInputs('lstm', x, kernel, recurrentKernel, h0, c0, ...(bias ? [bias] : []), ...(mask ? [mask] : []));
  const [batch, time, input] = x.shape;
  const units = recurrentKernel.shape[0];
  const expect = (t: Tensor, shape: number[], what: string): void => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new Error(`ferrite: lstm: ${what} must have shape ${fmtShape(shape)}, got ${fmtShape(t.shape)}`);
  };
  if (x.rank !== 3) throw new Error(`ferrite: lstm: x must be [batch, time, features], got ${fmtShape(x.shape)}`);
  expect(kernel, [input, 4 * units], 'kernel');
  expect(recurrentKernel, [units, 4 * units], 'recurrentKernel');
  if (bias) expect(bias, [4 * units], 'bias');
  expect(h0, [batch, units], 'initial h');
  expect(c0, [batch, units], 'initial c');
  if (mask) expect(mask, [batch, time], 'mask');
  const y = emptyTensor([batch, time, units], 'float32', eng);
  const cSeq = emptyTensor([batch, time, units], 'float32', eng);
  const gates = emptyTensor([batch, time, 4 * units], 'float32', eng);
  const hLast = emptyTensor([batch, units], 'float32', eng);
  const cLast = emptyTensor([batch, units], 'float32', eng);
  const fwd = [x, kernel, recurrentKernel, bias, h0, c0, mask, y, cSeq, gates, hLast, cLast].map((t) => t?.ptr ?? 0);
  const flags = [opts.activation, opts.recurrentActivation, opts.goBackwards ? 1 : 0] as const;
  const run = opts.naive ? eng.core.fe_lstm_forward_naive : eng.core.fe_lstm_forward;
  run(writeParams(eng, fwd, fwd.length), batch, time, input, units, ...flags);
  if (!isRecording()) {
    // What backward reads is not needed: inference keeps only the outputs.
    gates.dispose();
    cSeq.dispose();
    return [y, hLast, cLast];
  }
  const inputs = [x, kernel, recurrentKernel, bias, h0, c0].filter((t): t is Tensor => t !== null);
  recordMulti(
    'LSTM',
    inputs,
    [y, hLast, cLast],
    ([dy, dh, dc], needed) => {
      const need = (t: Tensor | null): boolean => t !== null && needed[inputs.indexOf(t)];
      const dx = need(x) ? emptyTensor(x.shape, 'float32', eng) : null;
      const dw = emptyTensor(kernel.shape, 'float32', eng);
      const dr = emptyTensor(recurrentKernel.shape, 'float32', eng);
      const db = bias ? emptyTensor(bias.shape, 'float32', eng) : null;
      const dh0 = emptyTensor(h0.shape, 'float32', eng);
      const dc0 = emptyTensor(c0.shape, 'float32', eng);
      // The kernel turns `gates` into dZ in place: a record's backward runs once per sweep.
      const ptrs = [...fwd, ...[dy, dh, dc, dx, dw, dr, db, dh0, dc0].map((t) => t?.ptr ?? 0)];
      eng.core.fe_lstm_backward(writeParams(eng, ptrs, ptrs.length), batch, time, input, units, ...flags);
      const all = [dx, dw, dr, db, dh0, dc0];
      const grads = [x, kernel, recurrentKernel, bias, h0, c0]
        .map((t, k) => (t === null ? undefined : all[k]))
        .filter((g) => g !== undefined);
      return grads;
    },
    [gates, cSeq],
  );
  return [y, hLast, cLast];
}
