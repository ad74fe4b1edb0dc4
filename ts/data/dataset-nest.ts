// Nested dataset elements (a tensor, a number, or arrays and plain objects of them, as
// tf.data's): copying an element, and stacking a batch of elements into one element of
// tensors whose axis 0 is the batch.

import { Tensor } from '../tensor/tensor.js';
import { clone, tensor } from '../tensor/creation.js';
import { stack } from '../ops/shape.js';

/** A structure to recurse into: an array or object that is not a tensor, typed array or promise. */
export function isStructure(v: unknown): v is Record<string, unknown> | unknown[] {
  return (
    v !== null &&
    typeof v === 'object' &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof ArrayBuffer) &&
    !(v instanceof Tensor) &&
    !(v instanceof Promise)
  );
}

/**
 * A copy of an element whose tensors are clones, so each pass over `data.array(items)`
 * hands out tensors the consumer owns (and may dispose) while `items` stay intact.
 */
export function cloneElement<T>(v: T, inside = new Set<object>()): T {
  if (v instanceof Tensor) return clone(v) as T;
  if (!isStructure(v)) return v;
  if (inside.has(v)) throw new Error('ferrite: data: dataset elements may not hold circular references');
  inside.add(v);
  const out: Record<string, unknown> = Array.isArray(v) ? [] : Object.create(Object.getPrototypeOf(v));
  for (const k of Object.keys(v)) out[k] = cloneElement((v as Record<string, unknown>)[k], inside);
  inside.delete(v);
  return out as T;
}

/** An empty array or object to fill like `like` (a structure's copy, keyed by index or name). */
export const emptyLike = (like: unknown): Record<string, unknown> =>
  (Array.isArray(like) ? [] : {}) as Record<string, unknown>;

const isPrimitive = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');

/** An array holding a tensor at any depth: batched per position, not as one numeric array. */
function holdsTensor(v: unknown): boolean {
  return Array.isArray(v) && v.some((x) => x instanceof Tensor || holdsTensor(x));
}

/** What batching turns into one tensor: numbers, booleans, numeric (nested) arrays, typed arrays, tensors. */
function isBatchLeaf(v: unknown): boolean {
  return isPrimitive(v) || v instanceof Tensor || ArrayBuffer.isView(v) || (Array.isArray(v) && !holdsTensor(v));
}

function leafTensor(rows: unknown[], where: string): Tensor {
  const what = `Dataset.batch: ${where}`;
  const first = rows[0];
  if (first instanceof Tensor) {
    rows.forEach((r, i) => {
      if (!(r instanceof Tensor))
        throw new Error(`ferrite: ${what}: element 0 holds a tensor there, element ${i} holds ${typeof r}`);
    });
    try {
      return stack(rows as Tensor[]);
    } catch (e) {
      throw new Error(
        `ferrite: ${what}: the elements' tensors cannot be stacked (${(e as Error).message.replace(/^ferrite: /, '')})`,
      );
    }
  }
  const bad = rows.findIndex((r) => typeof r === 'string' || r === null || r === undefined);
  if (bad >= 0) {
    const v = rows[bad];
    throw new Error(
      `ferrite: ${what}: element ${bad} holds ${typeof v === 'string' ? `the string '${v}'` : String(v)}; Ferrite's tensors hold numbers and booleans (map such values to numbers before batching)`,
    );
  }
  if (ArrayBuffer.isView(first)) {
    const n = (first as unknown as ArrayLike<number>).length;
    const flat: number[] = [];
    rows.forEach((r, i) => {
      const a = r as unknown as ArrayLike<number>;
      if (!ArrayBuffer.isView(r) || a.length !== n)
        throw new Error(`ferrite: ${what}: element 0 holds a typed array of ${n} values, element ${i} does not`);
      for (let j = 0; j < n; j++) flat.push(a[j]);
    });
    return tensor(flat, [rows.length, n], first instanceof Int32Array ? 'int32' : 'float32');
  }
  return tensor(rows as number[]);
}

/**
 * One element from a batch of same-structured elements: each tensor, number or numeric
 * array position becomes one tensor with the batch along axis 0; objects (and arrays of
 * tensors, such as [xs, ys]) keep their structure. `where` names the position in errors.
 */
export function batchElements(rows: unknown[], where = 'the element'): unknown {
  if (rows.length === 0) throw new Error('ferrite: Dataset.batch: cannot make a batch of zero elements');
  const first = rows[0];
  if (isBatchLeaf(first)) return leafTensor(rows, where);
  const out = emptyLike(first);
  for (const k of Object.keys(first as object)) {
    const at = `${where}${Array.isArray(first) ? `[${k}]` : `.${k}`}`;
    out[k] = batchElements(
      rows.map((r, i) => {
        if (!isStructure(r) || !(k in r))
          throw new Error(`ferrite: Dataset.batch: element ${i} has no ${at.replace(/^the element/, '')}`);
        return (r as Record<string, unknown>)[k];
      }),
      at,
    );
  }
  return out;
}
