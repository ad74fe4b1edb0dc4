// Input of scripts/lint-views.mjs in test/faults/stale-views.test.ts (the default scan skips
// *.fixture.ts): the functions named `stale*` use a view of wasm memory after a call that
// may grow the memory and must be flagged, the `fresh*` ones must not.

import { engine } from '../../ts/backend/engine.js';
import { emptyTensor, type Tensor } from '../../ts/tensor/tensor.js';
import { multinomial } from '../../ts/ops/sampling.js';

/** oneHot before its fix: the indices' view, then the output's allocation. */
export function staleAfterAllocation(indices: Tensor, depth: number): Tensor {
  const idx = indices.view();
  const out = emptyTensor([idx.length, depth]);
  const o = out.view();
  for (let i = 0; i < idx.length; i++) o[i * depth + idx[i]] = 1;
  return out;
}

/** A view of all memory kept across kernel calls in a loop (the next iteration reads it). */
export function staleInLoop(xs: Tensor[]): void {
  const eng = engine();
  const f32 = eng.f32;
  for (const x of xs) {
    f32[x.offset] = 1;
    eng.core.fe_softmax_forward(x.ptr, x.ptr, 1, x.size, 1);
  }
}

/** A view made from the memory's buffer, then an allocation. */
export function staleBufferView(): number {
  const u = new Int32Array(engine().memory.buffer, 0, 4);
  const p = engine().alloc(16);
  return u[0] + p;
}

/** A view of an op's result, then another op. */
export function staleAfterOp(logits: Tensor, picks: Tensor): number {
  const [v] = [picks.view()];
  multinomial(logits, 1, 1).dispose();
  return v[0];
}

/** Views after the allocation. */
export function freshAfterAllocation(x: Tensor): Tensor {
  const out = emptyTensor(x.shape);
  const [src, dst] = [x.view(), out.view()];
  for (let i = 0; i < src.length; i++) dst[i] = src[i];
  return out;
}

/** A view taken again after the allocation (as oneHot does now). */
export function freshRetaken(x: Tensor): Tensor {
  let v = x.view();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const out = emptyTensor(x.shape);
  v = x.view();
  out.view().set(v.map((a) => a / s));
  return out;
}

/** An element written through a view made before the value's op runs. */
export function staleElementWrite(out: Tensor, logits: Tensor): void {
  out.view()[0] = multinomial(logits, 1, 1).dataSync()[0];
}

function scratchWork(x: Tensor): void {
  emptyTensor(x.shape).dispose();
}

/** A helper that allocates but returns no tensor (the check follows it into its body). */
export function staleThroughHelper(x: Tensor): number {
  const w = x.view();
  scratchWork(x);
  return w[0];
}

/** Disposing frees a block; it never grows the memory. */
export function freshAcrossDispose(x: Tensor, y: Tensor): number {
  const v = x.view();
  y.dispose();
  return v[0];
}

/** A view kept across an await (a callback may allocate meanwhile). */
export async function staleAcrossAwait(x: Tensor, step: () => Promise<void>): Promise<number> {
  const a = x.view();
  await step();
  return a[0];
}
