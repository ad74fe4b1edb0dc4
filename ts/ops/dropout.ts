// Inverted dropout: each element is zeroed with probability `rate` and the kept ones
// are scaled by 1 / (1 - rate), so the expected value is unchanged and inference needs
// no rescaling. The mask comes from the counter-based generator (see random.ts): with a
// seed it is fixed; without one it is the next draw of the global stream.
//
// The backward multiplies dy by the very mask the forward applied (saved on the tape).

import { isRecording, record } from '../autograd/tape.js';
import { engine, type Engine } from '../backend/engine.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { clone } from '../tensor/creation.js';
import { nextStream, type StreamArgs } from './random.js';
import { contiguousStrides } from './strided-space.js';
import { checkFloat, checkInputs, fmtShape, sameShape } from './util.js';

/** Resolves a noise shape against x's (null entries take x's size), checking it broadcasts. */
function resolveNoiseShape(x: Tensor, noiseShape: readonly (number | null)[] | undefined): number[] {
  if (noiseShape === undefined || noiseShape === null) return [...x.shape];
  if (!Array.isArray(noiseShape) || noiseShape.length !== x.rank) {
    throw new Error(
      `ferrite: dropout: noiseShape ${fmtShape((noiseShape as number[]) ?? [])} must have the rank of x ${fmtShape(x.shape)}`,
    );
  }
  return noiseShape.map((d, i) => {
    const v = d === null ? x.shape[i] : d;
    if (v !== 1 && v !== x.shape[i]) {
      throw new Error(
        `ferrite: dropout: noiseShape ${fmtShape(noiseShape.map((e) => e ?? -1))} does not broadcast to x ${fmtShape(x.shape)} ` +
          `(dimension ${i} must be 1 or ${x.shape[i]})`,
      );
    }
    return v;
  });
}

/**
 * Inverted dropout of `x` (TF.js's `dropout(x, rate, noiseShape?, seed?)`): keeps each
 * element with probability 1 - rate, scaled by 1 / (1 - rate). `noiseShape` (same rank
 * as x, each entry 1 or x's size, null for x's size) shares one draw along the
 * dimensions where it is 1 (e.g. [batch, 1, channels] drops whole channels).
 * Differentiable: the gradient is dy times the same mask.
 *
 * @example
 * ```ts
 * fe.dropout(fe.ones([2, 4]), 0.5, undefined, 42).print(); // each entry 0 or 2
 * fe.dropout(fe.ones([2, 3, 4]), 0.5, [2, 1, 4]).shape; // [2, 3, 4]: one draw per row of axis 1
 * ```
 */
export function dropout(
  x: Tensor,
  rate: number,
  noiseShape?: readonly (number | null)[],
  seed?: number | string,
): Tensor {
  const eng = checkInputs('dropout', x);
  checkFloat('dropout', x);
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new Error(`ferrite: dropout: rate must be a number in [0, 1), got ${String(rate)}`);
  }
  const noise = resolveNoiseShape(x, noiseShape);
  if (rate === 0) {
    const y = clone(x);
    record('Dropout', [x], y, (dy) => [dy]);
    return y;
  }
  const stream = nextStream('dropout', seed);
  const y = emptyTensor(x.shape, 'float32', eng);
  const recording = isRecording();
  let mask: Tensor | null = null;

  if (sameShape(noise, x.shape)) {
    if (recording) mask = emptyTensor(x.shape, 'float32', eng);
    eng.core.fe_dropout_forward(x.ptr, y.ptr, mask ? mask.ptr : 0, x.size, ...stream, rate);
    if (mask) {
      const m = mask;
      record(
        'Dropout',
        [x],
        y,
        (dy) => {
          const dx = emptyTensor(x.shape, 'float32', eng);
          eng.core.fe_dropout_backward(dy.ptr, m.ptr, dx.ptr, x.size);
          return [dx];
        },
        [m],
      );
    }
    return y;
  }

  // A smaller noise shape: draw its mask, then apply it broadcast.
  const m = drawMask(eng, noise, rate, stream);
  const applyBroadcast = (src: Tensor, dst: Tensor): void => {
    if (x.size === 0) return;
    const rank = x.rank;
    const strides = contiguousStrides(noise);
    const meta = eng.alloc(8 * rank);
    const u = eng.i32;
    for (let d = 0; d < rank; d++) {
      u[(meta >> 2) + d] = x.shape[d];
      u[(meta >> 2) + rank + d] = noise[d] === 1 ? 0 : strides[d];
    }
    eng.core.fe_dropout_apply_broadcast(src.ptr, m.ptr, dst.ptr, rank, meta, meta + 4 * rank);
    eng.free(meta, 8 * rank);
  };
  applyBroadcast(x, y);
  if (recording) {
    record(
      'Dropout',
      [x],
      y,
      (dy) => {
        const dx = emptyTensor(x.shape, 'float32', eng);
        applyBroadcast(dy, dx);
        return [dx];
      },
      [m],
    );
  } else {
    m.dispose();
  }
  return y;
}

function drawMask(eng: Engine, shape: readonly number[], rate: number, stream: StreamArgs): Tensor {
  const m = emptyTensor([...shape], 'float32', eng);
  eng.core.fe_dropout_mask(m.ptr, m.size, ...stream, rate);
  return m;
}

/**
 * An inverted-dropout mask of `shape`: each entry 0 with probability `rate`, else
 * 1 / (1 - rate); the same draw `dropout` makes for a noise shape (a [batch, features]
 * mask equals dropout's [batch, 1, features] one from the same stream). The recurrent
 * layers and cells draw their per-sequence masks with it. Not differentiable (a constant).
 * Internal (not exported from the package): `dropoutMask([2, 3], 0.5)` has entries 0 or 2.
 */
export function dropoutMask(shape: readonly number[], rate: number, seed?: number | string): Tensor {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new Error(`ferrite: dropoutMask: rate must be a number in [0, 1), got ${String(rate)}`);
  }
  return drawMask(engine(), shape, rate, nextStream('dropout', seed));
}
