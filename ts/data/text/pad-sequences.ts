// Keras's `pad_sequences`: a list of sequences of different lengths to one [n, maxlen]
// tensor. Sequences longer than maxlen lose values at the start ('pre', the default) or
// the end ('post'); shorter ones are filled with `value` before ('pre') or after ('post').

import type { DataType, Tensor } from '../../tensor/tensor.js';
import { tensor } from '../../tensor/creation.js';

/** Options of `padSequences` (Keras's pad_sequences). */
export interface PadSequencesOptions {
  /** Length of every output row; default: the longest sequence. */
  maxlen?: number | null;
  /** 'int32' (default) or 'float32'; int32 truncates fractional values toward zero, as NumPy's cast. */
  dtype?: DataType;
  /** Where the padding goes: 'pre' (default) or 'post'. */
  padding?: 'pre' | 'post';
  /** Which end of a too-long sequence is dropped: 'pre' (default) or 'post'. */
  truncating?: 'pre' | 'post';
  /** The padding value (default 0). */
  value?: number;
}

/**
 * Keras's `pad_sequences`: integer sequences padded or truncated to one length (`maxlen`,
 * default the longest) as a [n, maxlen] tensor.
 *
 * @example
 * ```ts
 * fe.padSequences([[1, 2], [3, 4, 5]], { maxlen: 4 }).print(); // int32 [[0, 0, 1, 2], [0, 3, 4, 5]]
 * fe.padSequences([[1, 2, 3]], { maxlen: 2, truncating: 'post' }).print(); // int32 [[1, 2]]
 * ```
 */
export function padSequences(
  sequences: readonly (ArrayLike<number> & Iterable<number>)[],
  opts: PadSequencesOptions = {},
): Tensor {
  if (!Array.isArray(sequences))
    throw new Error(`ferrite: padSequences: sequences must be an array of number arrays, got ${typeof sequences}`);
  sequences.forEach((s, i) => {
    if (s === null || typeof s !== 'object' || typeof s.length !== 'number')
      throw new Error(`ferrite: padSequences: sequence ${i} is not an array of numbers`);
  });
  const padding = opts.padding ?? 'pre';
  const truncating = opts.truncating ?? 'pre';
  if (padding !== 'pre' && padding !== 'post')
    throw new Error(`ferrite: padSequences: padding must be 'pre' or 'post', got ${JSON.stringify(padding)}`);
  if (truncating !== 'pre' && truncating !== 'post')
    throw new Error(`ferrite: padSequences: truncating must be 'pre' or 'post', got ${JSON.stringify(truncating)}`);
  const dtype = opts.dtype ?? 'int32';
  if (dtype !== 'int32' && dtype !== 'float32')
    throw new Error(`ferrite: padSequences: dtype must be 'int32' or 'float32', got ${JSON.stringify(dtype)}`);
  const maxlen = opts.maxlen ?? sequences.reduce((m, s) => Math.max(m, s.length), 0);
  if (!Number.isInteger(maxlen) || maxlen < 0)
    throw new Error(`ferrite: padSequences: maxlen must be a non-negative integer, got ${String(opts.maxlen)}`);
  const value = opts.value ?? 0;
  if (typeof value !== 'number') throw new Error(`ferrite: padSequences: value must be a number, got ${typeof value}`);

  const n = sequences.length;
  const out = dtype === 'int32' ? new Int32Array(n * maxlen) : new Float32Array(n * maxlen);
  out.fill(value);
  sequences.forEach((s, row) => {
    const len = Math.min(s.length, maxlen);
    const from = truncating === 'pre' ? s.length - len : 0; // which `len` values are kept
    const to = row * maxlen + (padding === 'pre' ? maxlen - len : 0);
    for (let k = 0; k < len; k++) {
      const v = s[from + k];
      if (typeof v !== 'number' || Number.isNaN(v))
        throw new Error(`ferrite: padSequences: sequence ${row} holds ${String(v)} at ${from + k}, not a number`);
      out[to + k] = v;
    }
  });
  return tensor(out, [n, maxlen], dtype);
}
