// Checks and shape arithmetic shared by the ops.

import type { Engine } from '../backend/engine.js';
import { Tensor, type Shape } from '../tensor/tensor.js';

export function fmtShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

/** Checks that every input is a live tensor, and that all live on one engine; returns it. */
export function checkInputs(op: string, ...xs: Tensor[]): Engine {
  let eng: Engine | undefined;
  xs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new Error(`ferrite: ${op}: argument ${i} must be a Tensor, got ${typeof x}`);
    x.assertAlive(`${op}: argument ${i}`);
    if (eng === undefined) eng = x.engine;
    else if (x.engine !== eng) {
      throw new Error(`ferrite: ${op}: tensors from the ${eng.name} and the ${x.engine.name} builds cannot be mixed`);
    }
  });
  return eng!;
}

export function checkFloat(op: string, x: Tensor, what = 'input'): void {
  if (x.dtype !== 'float32')
    throw new Error(`ferrite: ${op}: ${what} must be float32, got ${x.dtype} ${fmtShape(x.shape)}`);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of two shapes; throws naming the op when they do not broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = new Array(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`ferrite: ${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative axis against `rank`. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new Error(`ferrite: ${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** `fn`, named `name`: the functions that op factories return keep their op's name, as declared functions do. */
export function named<F extends (...args: never[]) => unknown>(name: string, fn: F): F {
  return Object.defineProperty(fn, 'name', { value: name });
}
