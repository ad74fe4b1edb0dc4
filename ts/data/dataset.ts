// tf.data's Dataset: a recipe for a stream of elements, chained lazily (`map`, `filter`,
// `batch`, `shuffle`, ...); nothing runs until something iterates it (`iterator()`,
// `forEachAsync`, `toArray`, `model.fitDataset`), and each iteration starts a fresh
// stream from the sources. `size` is the number of elements when known, null when not,
// Infinity for endless streams, computed as tf.data does.

import type { TensorContainer } from '../tensor/scope.js';
import { nextStream } from '../ops/random.js';
import { seededRandom } from './shuffle.js';
import { cloneElement, emptyLike, isStructure } from './dataset-nest.js';
import {
  DatasetIterator,
  batchIterator,
  chainIterators,
  filterIterator,
  iteratorFromItems,
  mapIterator,
  prefetchIterator,
  shuffleIterator,
  skipIterator,
  takeIterator,
  zipIterators,
  type IteratorStructure,
} from './dataset-iterator.js';

const fail = (op: string, what: string): never => {
  throw new Error(`ferrite: Dataset.${op}: ${what}`);
};

function checkCount(op: string, name: string, v: number, min: number): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    fail(op, `${name} must be an integer >= ${min}, got ${String(v)}`);
}

/** A seed for a PRNG from a stream's counters (one 32-bit word). */
const mixSeed = (k0: number, k1: number, stream: number): number =>
  (k0 ^ Math.imul(k1, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0;

/**
 * A lazy, possibly asynchronous stream of elements (TF.js's `tf.data.Dataset`): chain
 * `shuffle`, `map`, `batch`, `take`, ... and pass it to `model.fitDataset`. Made by
 * `data.array`, `data.generator`, `data.csv`, `data.zip`, ...
 *
 * @example
 * ```ts
 * const ds = fe.data.array([1, 2, 3, 4, 5, 6]).shuffle(6, 1).map((v) => v * 10).batch(4);
 * const batches = await ds.toArray(); // two batches: 4 values, then 2
 * batches[0]; // a float32 tensor [4]
 * ```
 */
export abstract class Dataset<T = TensorContainer> {
  /** Shuffle windows above this many elements are refused (tf.data's limit). */
  static readonly MAX_BUFFER_SIZE = 10000;

  /** Number of elements: a count, Infinity (endless), or null (unknown). */
  size: number | null = null;

  /**
   * A new stream over the elements, from the start.
   *
   * @example
   * ```ts
   * const it = await fe.data.array([1, 2]).iterator();
   * await it.next(); // { value: 1, done: false }
   * ```
   */
  abstract iterator(): Promise<DatasetIterator<T>>;

  /**
   * Groups `batchSize` consecutive elements into one: tensors are stacked along a new
   * axis 0, numbers and numeric arrays become a tensor, objects (`{xs, ys}`) and arrays
   * of tensors (`[xs, ys]`) keep their structure with each position batched. The last,
   * smaller batch is kept unless `smallLastBatch` is false.
   *
   * @example
   * ```ts
   * const ds = fe.data.array([{ xs: [1, 2], ys: 0 }, { xs: [3, 4], ys: 1 }]).batch(2);
   * const [b] = (await ds.toArray()) as { xs: fe.Tensor; ys: fe.Tensor }[];
   * b.xs.shape; // [2, 2]
   * b.ys.print(); // [0, 1]
   * ```
   */
  batch(batchSize: number, smallLastBatch = true): Dataset<TensorContainer> {
    checkCount('batch', 'batchSize', batchSize, 1);
    const size =
      this.size === null || this.size === Infinity
        ? this.size
        : smallLastBatch
          ? Math.ceil(this.size / batchSize)
          : Math.floor(this.size / batchSize);
    return datasetFromIteratorFn(
      async () => batchIterator(await this.iterator(), batchSize, smallLastBatch) as DatasetIterator<TensorContainer>,
      size,
    );
  }

  /**
   * This dataset's elements, then `dataset`'s.
   *
   * @example
   * ```ts
   * await fe.data.array([1, 2]).concatenate(fe.data.array([3])).toArray(); // [1, 2, 3]
   * ```
   */
  concatenate(dataset: Dataset<T>): Dataset<T> {
    if (!(dataset instanceof Dataset)) fail('concatenate', `expected a Dataset, got ${typeof dataset}`);
    const a = this.size;
    const b = dataset.size;
    const size = a === Infinity || b === Infinity ? Infinity : a !== null && b !== null ? a + b : null;
    return datasetFromIteratorFn(async () => {
      const parts: Dataset<T>[] = [this, dataset];
      return chainIterators(async () => (parts.length > 0 ? parts.shift()!.iterator() : null), false);
    }, size);
  }

  /**
   * The elements for which `predicate` is true (it runs in a tidy; the others are disposed).
   *
   * @example
   * ```ts
   * await fe.data.array([1, 2, 3, 4]).filter((v) => v % 2 === 0).toArray(); // [2, 4]
   * ```
   */
  filter(predicate: (value: T) => boolean): Dataset<T> {
    if (typeof predicate !== 'function') fail('filter', 'predicate must be a function');
    return datasetFromIteratorFn(
      async () => filterIterator(await this.iterator(), predicate),
      this.size === Infinity ? Infinity : null,
    );
  }

  /**
   * Calls `f` on every element (awaiting it if it returns a promise), then disposes the
   * element's tensors.
   *
   * @example
   * ```ts
   * await fe.data.array([1, 2, 3]).forEachAsync((v) => console.log(v)); // 1, 2, 3
   * ```
   */
  async forEachAsync(f: (input: T) => void | Promise<void>): Promise<void> {
    if (typeof f !== 'function') fail('forEachAsync', 'f must be a function');
    const it = mapIterator(await this.iterator(), f, false);
    while (!(await it.next()).done);
  }

  /**
   * Maps each element through `transform`, run in a tidy; the input's tensors that the
   * result does not hold are disposed.
   *
   * @example
   * ```ts
   * await fe.data.array([1, 2, 3]).map((v) => v * v).toArray(); // [1, 4, 9]
   * ```
   */
  map<O>(transform: (value: T) => O): Dataset<O> {
    if (typeof transform !== 'function') fail('map', 'transform must be a function');
    return datasetFromIteratorFn(async () => mapIterator(await this.iterator(), transform, true), this.size);
  }

  /**
   * Maps each element through an async `transform` (which tidies its own intermediates).
   *
   * @example
   * ```ts
   * await fe.data.array(['a', 'b']).mapAsync(async (s) => s.toUpperCase()).toArray(); // ['A', 'B']
   * ```
   */
  mapAsync<O>(transform: (value: T) => Promise<O>): Dataset<O> {
    if (typeof transform !== 'function') fail('mapAsync', 'transform must be a function');
    return datasetFromIteratorFn(async () => mapIterator(await this.iterator(), transform, false), this.size);
  }

  /**
   * Requests up to `bufferSize` elements ahead of the consumer.
   *
   * @example
   * ```ts
   * const ds = fe.data.array([1, 2, 3]).map((v) => fe.scalar(v)).prefetch(2); // two elements made ahead
   * (await ds.toArray()).length; // 3
   * ```
   */
  prefetch(bufferSize: number): Dataset<T> {
    if (bufferSize === undefined || bufferSize === null)
      throw new RangeError('ferrite: Dataset.prefetch: bufferSize is required');
    checkCount('prefetch', 'bufferSize', bufferSize, 1);
    return datasetFromIteratorFn(async () => prefetchIterator(await this.iterator(), bufferSize), this.size);
  }

  /**
   * The elements `count` times over (each pass a fresh stream); without a count or with
   * a negative one, endlessly.
   *
   * @example
   * ```ts
   * await fe.data.array([1, 2]).repeat(2).toArray(); // [1, 2, 1, 2]
   * ```
   */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined) checkCount('repeat', 'count', count, -Infinity);
    const endless = count === undefined || count < 0;
    const size =
      count === 0
        ? 0
        : this.size === null
          ? null
          : endless
            ? this.size === 0
              ? 0
              : Infinity
            : this.size * (count as number);
    return datasetFromIteratorFn(async () => {
      let passes = 0;
      return chainIterators(async () => (endless || passes++ < count! ? this.iterator() : null), true);
    }, size);
  }

  /**
   * All but the first `count` elements (which are disposed). A negative or missing count
   * skips everything, as tf.data documents.
   *
   * @example
   * ```ts
   * await fe.data.array([1, 2, 3]).skip(2).toArray(); // [3]
   * ```
   */
  skip(count?: number): Dataset<T> {
    if (count !== undefined) checkCount('skip', 'count', count, -Infinity);
    const n = count === undefined || count < 0 ? Infinity : count;
    const size =
      this.size === null ? null : this.size === Infinity && n !== Infinity ? Infinity : Math.max(0, this.size - n);
    return datasetFromIteratorFn(async () => skipIterator(await this.iterator(), n), Number.isNaN(size) ? 0 : size);
  }

  /**
   * Shuffles in a streaming way: a window of `bufferSize` elements is filled, and each
   * element handed out is drawn uniformly from it (a window as large as the dataset gives
   * a uniform permutation). With `seed`, the order is reproducible; otherwise it comes
   * from the global random stream (`setRandomSeed`). `reshuffleEachIteration` (default
   * true) draws a new order for each pass; false repeats the first pass's order.
   *
   * @example
   * ```ts
   * const ds = fe.data.array([1, 2, 3, 4]).shuffle(4, 42); // a new order each pass, seeded
   * (await ds.toArray()).sort(); // [1, 2, 3, 4]
   * ```
   */
  shuffle(bufferSize: number, seed?: number | string, reshuffleEachIteration = true): Dataset<T> {
    if (bufferSize === undefined || bufferSize === null || bufferSize < 0) {
      throw new RangeError(
        `ferrite: Dataset.shuffle: bufferSize must be given${this.size !== null && this.size !== Infinity ? ` (if the data fits in memory, the dataset's size: ${this.size})` : ''}`,
      );
    }
    checkCount('shuffle', 'bufferSize', bufferSize, 1);
    if (bufferSize > Dataset.MAX_BUFFER_SIZE)
      fail('shuffle', `bufferSize ${bufferSize} is above the limit of ${Dataset.MAX_BUFFER_SIZE} elements`);
    const [k0, k1, stream] = nextStream('Dataset.shuffle', seed);
    const passes = seededRandom(mixSeed(k0, k1, stream));
    const firstPass = (passes() * 2 ** 32) >>> 0;
    return datasetFromIteratorFn(async () => {
      const passSeed = reshuffleEachIteration ? (passes() * 2 ** 32) >>> 0 : firstPass;
      return shuffleIterator(await this.iterator(), bufferSize, seededRandom(passSeed));
    }, this.size);
  }

  /**
   * At most the first `count` elements; a negative or missing count takes them all.
   *
   * @example
   * ```ts
   * await fe.data.array([1, 2, 3]).repeat().take(5).toArray(); // [1, 2, 3, 1, 2]
   * ```
   */
  take(count?: number): Dataset<T> {
    if (count !== undefined) checkCount('take', 'count', count, -Infinity);
    const n = count === undefined || count < 0 ? Infinity : count;
    const size = this.size === null ? (n === 0 ? 0 : null) : Math.min(this.size, n);
    return datasetFromIteratorFn(async () => takeIterator(await this.iterator(), n), size);
  }

  /**
   * Every element in an array (the caller owns their tensors). Refuses endless datasets.
   *
   * @example
   * ```ts
   * await fe.data.array([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   * ```
   */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) fail('toArray', 'the dataset is endless (size Infinity); take() a part of it first');
    return (await this.iterator()).toArray();
  }
}

/**
 * A dataset whose streams come from `iteratorFn` (tf.data's datasetFromIteratorFn).
 *
 * @example
 * ```ts
 * const ds = fe.data.datasetFromIteratorFn(async () => (await fe.data.array([7, 8]).iterator()), 2);
 * ds.size; // 2
 * await ds.toArray(); // [7, 8]
 * ```
 */
export function datasetFromIteratorFn<T>(
  iteratorFn: () => Promise<DatasetIterator<T>>,
  size: number | null = null,
): Dataset<T> {
  return new (class extends Dataset<T> {
    override size = size;
    override iterator(): Promise<DatasetIterator<T>> {
      return iteratorFn();
    }
  })();
}

/**
 * A dataset of the items of an array (numbers, tensors, arrays or objects of them), like
 * `tf.data.array`. Each pass hands out copies (tensors cloned), so consumers may dispose
 * what they receive while the items stay usable.
 *
 * @example
 * ```ts
 * const ds = fe.data.array([{ x: 1, y: 2 }, { x: 3, y: 4 }]);
 * ds.size; // 2
 * (await ds.toArray())[1]; // { x: 3, y: 4 }
 * ```
 */
export function array<T>(items: T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new Error(`ferrite: data.array: expected an array, got ${typeof items}`);
  return datasetFromIteratorFn(async () => iteratorFromItems(items, (x) => cloneElement(x)), items.length);
}

/**
 * A nested structure (array or object) whose leaves are datasets.
 *
 * @example
 * ```ts
 * const xs = fe.data.array([[1, 2], [3, 4]]);
 * const ys = fe.data.array([0, 1]);
 * await fe.data.zip({ xs, ys }).toArray(); // [{ xs: [1, 2], ys: 0 }, { xs: [3, 4], ys: 1 }]
 * ```
 */
export type DatasetContainer = Dataset<unknown> | DatasetContainer[] | { [key: string]: DatasetContainer };

/**
 * Zips datasets given as an array, an object or a nested structure of them: each element
 * has that structure with each dataset's next element in place, as `tf.data.zip`. Ends
 * with the shortest dataset.
 *
 * @example
 * ```ts
 * const xs = fe.data.array([1, 2, 3]);
 * const ys = fe.data.array(['a', 'b']);
 * await fe.data.zip([xs, ys]).toArray(); // [[1, 'a'], [2, 'b']]: ends with the shorter
 * ```
 */
export function zip<O = TensorContainer>(datasets: DatasetContainer): Dataset<O> {
  if (!isStructure(datasets) && !(datasets instanceof Dataset))
    throw new Error('ferrite: data.zip: the argument must be an array or an object of datasets');
  const sizes: (number | null)[] = [];
  const check = (d: unknown, where: string): void => {
    if (d instanceof Dataset) sizes.push(d.size);
    else if (isStructure(d)) for (const k of Object.keys(d)) check((d as Record<string, unknown>)[k], `${where}.${k}`);
    else throw new Error(`ferrite: data.zip: the leaves must be datasets, ${where} is ${typeof d}`);
  };
  check(datasets, 'datasets');
  const size = sizes.length === 0 || sizes.includes(null) ? null : Math.min(...(sizes as number[]));
  return datasetFromIteratorFn(async () => {
    const open = async (d: DatasetContainer): Promise<IteratorStructure> => {
      if (d instanceof Dataset) return d.iterator();
      const out = emptyLike(d) as Record<string, IteratorStructure>;
      for (const k of Object.keys(d)) out[k] = await open((d as Record<string, DatasetContainer>)[k]);
      return out;
    };
    return zipIterators(await open(datasets)) as DatasetIterator<O>;
  }, size);
}
