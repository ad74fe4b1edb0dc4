// The streams behind tf.data's Dataset: an iterator hands out elements one at a time
// (`await it.next()` gives {value, done}), and each Dataset operation wraps the
// iterator of the dataset below it. Tensors follow tf.data's ownership rule: whoever
// receives an element owns its tensors; an operation that drops an element (filter,
// skip) or replaces it (map, batch) disposes the tensors it does not pass on.

import { tensorsIn, tidy, type TensorContainer } from '../tensor/scope.js';
import { batchElements, emptyLike } from './dataset-nest.js';

/**
 * One step of an iterator, as tf.data's: an element, or the end ({value: null, done: true}).
 *
 * @example
 * ```ts
 * const it = await fe.data.array([5]).iterator();
 * await it.next(); // { value: 5, done: false }
 * await it.next(); // { value: null, done: true }
 * ```
 */
export type IteratorStep<T> =
  | {
      /** The element. */
      value: T;
      /** False: an element. */
      done: false;
    }
  | {
      /** Null at the end. */
      value: null;
      /** True: the stream has ended. */
      done: true;
    };

const END = Object.freeze({ value: null, done: true }) as IteratorStep<never>;

/** Disposes the tensors of `input` that `output` does not hold (what map and batch consumed). */
function disposeConsumed(input: unknown, output: unknown): void {
  const kept = tensorsIn(output);
  for (const t of tensorsIn(input)) if (!kept.has(t) && !t.isDisposed) t.dispose();
}

/**
 * A stream of elements (TF.js's LazyIterator). Calls to `next` are served one at a time
 * in call order, so several may be pending (prefetch, zip); once the stream has ended it
 * stays ended without asking its source again. Also an async iterable:
 * `for await (const e of await ds.iterator())`.
 *
 * @example
 * ```ts
 * const it = await fe.data.array([1, 2, 3]).iterator();
 * for await (const v of it) console.log(v); // 1, 2, 3
 * ```
 */
export class DatasetIterator<T = TensorContainer> implements AsyncIterable<T> {
  private last: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(private readonly pull: () => Promise<IteratorStep<T>>) {}

  /**
   * The next element, or `{value: null, done: true}` at the end.
   *
   * @example
   * ```ts
   * const it = await fe.data.array(['a']).iterator();
   * (await it.next()).value; // 'a'
   * ```
   */
  next(): Promise<IteratorStep<T>> {
    const step = this.last.then(async () => {
      if (this.ended) return END;
      const s = await this.pull();
      if (s.done) this.ended = true;
      return s;
    });
    this.last = step.catch(() => undefined);
    return step;
  }

  /**
   * Every remaining element.
   *
   * @example
   * ```ts
   * const it = await fe.data.array([1, 2, 3]).iterator();
   * await it.next();
   * await it.toArray(); // [2, 3]: what remains
   * ```
   */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for (let s = await this.next(); !s.done; s = await this.next()) out.push(s.value);
    return out;
  }

  /**
   * Makes the iterator usable in `for await`.
   *
   * @example
   * ```ts
   * let total = 0;
   * for await (const v of await fe.data.array([1, 2, 3]).iterator()) total += v;
   * total; // 6
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() as Promise<IteratorResult<T>> };
  }
}

/** The items in order (each element made by `make`, which copies it). */
export function iteratorFromItems<T>(items: readonly T[], make: (item: T) => T): DatasetIterator<T> {
  let i = 0;
  return new DatasetIterator(async () => (i < items.length ? { value: make(items[i++]), done: false } : END));
}

/** Elements from a function returning {value, done} (or a promise of it), as tf.data.func. */
export function iteratorFromFunction<T>(
  f: () => IteratorResult<T> | Promise<IteratorResult<T>>,
  what: string,
): DatasetIterator<T> {
  return new DatasetIterator(async () => {
    let r: IteratorResult<T>;
    try {
      r = await f();
    } catch (e) {
      if (e instanceof Error)
        e.message = `ferrite: ${what}: error thrown while iterating through a dataset: ${e.message}`;
      throw e;
    }
    if (r === null || typeof r !== 'object' || !('done' in r || 'value' in r))
      throw new Error(`ferrite: ${what}: the function must return {value, done}, got ${String(r)}`);
    return r.done ? END : { value: r.value, done: false };
  });
}

/** Each element through `f` (awaited); the input's tensors that the output does not hold are disposed. */
export function mapIterator<T, O>(
  up: DatasetIterator<T>,
  f: (x: T) => O | Promise<O>,
  inTidy: boolean,
): DatasetIterator<O> {
  return new DatasetIterator<O>(async () => {
    const s = await up.next();
    if (s.done) return END;
    let out: O;
    try {
      out = inTidy ? (tidy(() => f(s.value) as TensorContainer) as O) : await f(s.value);
    } catch (e) {
      disposeConsumed(s.value, undefined);
      throw e;
    }
    disposeConsumed(s.value, out);
    return { value: out, done: false };
  });
}

/** The elements for which `predicate` holds; the others are disposed. */
export function filterIterator<T>(up: DatasetIterator<T>, predicate: (x: T) => boolean): DatasetIterator<T> {
  return new DatasetIterator(async () => {
    for (;;) {
      const s = await up.next();
      if (s.done) return END;
      let keep: boolean;
      try {
        keep = tidy(() => predicate(s.value));
      } catch (e) {
        disposeConsumed(s.value, undefined);
        throw e;
      }
      if (keep) return s;
      disposeConsumed(s.value, undefined);
    }
  });
}

/** At most `count` elements. */
export function takeIterator<T>(up: DatasetIterator<T>, count: number): DatasetIterator<T> {
  let taken = 0;
  return new DatasetIterator(async () => (taken++ < count ? up.next() : END));
}

/** All but the first `count` elements (disposed). */
export function skipIterator<T>(up: DatasetIterator<T>, count: number): DatasetIterator<T> {
  let skipped = 0;
  return new DatasetIterator(async () => {
    while (skipped < count) {
      skipped++;
      const s = await up.next();
      if (s.done) return END;
      disposeConsumed(s.value, undefined);
    }
    return up.next();
  });
}

/** Elements grouped by `size` and stacked (batchElements); the last group may be smaller when `smallLast`. */
export function batchIterator<T>(up: DatasetIterator<T>, size: number, smallLast: boolean): DatasetIterator<unknown> {
  return new DatasetIterator(async () => {
    const rows: T[] = [];
    try {
      while (rows.length < size) {
        const s = await up.next();
        if (s.done) break;
        rows.push(s.value);
      }
      if (rows.length === 0 || (rows.length < size && !smallLast)) {
        disposeConsumed(rows, undefined);
        return END;
      }
      const value = batchElements(rows);
      disposeConsumed(rows, value);
      return { value, done: false };
    } catch (e) {
      disposeConsumed(rows, undefined);
      throw e;
    }
  });
}

/**
 * The elements of the iterators that `nextIterator` gives in turn (null: no more), as
 * repeat and concatenate need. With `endOnEmpty`, an iterator that yields nothing ends
 * the chain, so repeating an empty dataset forever ends instead of spinning.
 */
export function chainIterators<T>(
  nextIterator: () => Promise<DatasetIterator<T> | null>,
  endOnEmpty: boolean,
): DatasetIterator<T> {
  let current: DatasetIterator<T> | null = null;
  let yielded = true;
  return new DatasetIterator(async () => {
    for (;;) {
      if (current === null) {
        if (endOnEmpty && !yielded) return END;
        current = await nextIterator();
        if (current === null) return END;
        yielded = false;
      }
      const s = await current.next();
      if (!s.done) {
        yielded = true;
        return s;
      }
      current = null;
    }
  });
}

/** A nested structure (array or object) whose leaves are iterators. */
export type IteratorStructure = DatasetIterator<unknown> | IteratorStructure[] | { [k: string]: IteratorStructure };

/**
 * Elements of the same structure as `streams`, each leaf the next element of its
 * iterator; ends with the shortest stream (the longer ones' pulled elements are disposed).
 */
export function zipIterators(streams: IteratorStructure): DatasetIterator<unknown> {
  return new DatasetIterator(async () => {
    let ended = false;
    const pulls: Promise<void>[] = [];
    const read = (s: IteratorStructure): unknown => {
      if (s instanceof DatasetIterator) {
        const slot: { value?: unknown } = {};
        pulls.push(
          s.next().then((r) => {
            if (r.done) ended = true;
            else slot.value = r.value;
          }),
        );
        return slot;
      }
      const out = emptyLike(s);
      for (const k of Object.keys(s)) out[k] = read((s as Record<string, IteratorStructure>)[k]);
      return out;
    };
    const slots = read(streams);
    await Promise.all(pulls);
    const fill = (v: unknown, s: IteratorStructure): unknown => {
      if (s instanceof DatasetIterator) return (v as { value?: unknown }).value;
      const out = emptyLike(s);
      for (const k of Object.keys(s))
        out[k] = fill((v as Record<string, unknown>)[k], (s as Record<string, IteratorStructure>)[k]);
      return out;
    };
    const value = fill(slots, streams);
    if (ended) {
      disposeConsumed(value, undefined);
      return END;
    }
    return { value, done: false };
  });
}

/** Keeps `bufferSize` requests to `up` in flight, so producing overlaps consuming. */
export function prefetchIterator<T>(up: DatasetIterator<T>, bufferSize: number): DatasetIterator<T> {
  const pending: Promise<IteratorStep<T>>[] = [];
  return new DatasetIterator(async () => {
    while (pending.length < bufferSize) pending.push(up.next());
    return pending.shift()!;
  });
}

/**
 * tf.data's streaming shuffle: a window of up to `windowSize` elements is kept; each
 * step hands out one of them chosen uniformly (by `random`, in [0, 1)) and refills the
 * window from upstream. Element i can thus come out no earlier than position
 * i - windowSize + 1; a window as large as the dataset gives a uniform permutation.
 */
export function shuffleIterator<T>(
  up: DatasetIterator<T>,
  windowSize: number,
  random: () => number,
): DatasetIterator<T> {
  const window: T[] = [];
  let exhausted = false;
  return new DatasetIterator(async () => {
    while (!exhausted && window.length < windowSize) {
      const s = await up.next();
      if (s.done) exhausted = true;
      else window.push(s.value);
    }
    if (window.length === 0) return END;
    const i = Math.floor(random() * window.length);
    const value = window[i];
    window[i] = window[window.length - 1];
    window.pop();
    return { value, done: false };
  });
}
