// fe.data against TF.js's tf.data: the same pipeline code runs on both libraries and the
// elements (tensors as shape, dtype and values) must agree one by one, as must `size`.
// Shuffling draws from different generators, so its tests check its contract instead.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import * as fe from '../../ts/index.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

let tf: typeof TF;
let dir: string;
beforeAll(async () => {
  tf = await tfjsCpu();
  await fe.ready();
  dir = mkdtempSync(join(tmpdir(), 'ferrite-dataset-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The parts of tf.data and fe.data a pipeline uses (both libraries fit it). */
interface DataApi {
  array(items: unknown[]): Ds;
  zip(d: unknown): Ds;
  generator(f: () => unknown): Ds;
  func(f: () => unknown): Ds;
}
interface Ds {
  size: number | null;
  batch(n: number, small?: boolean): Ds;
  map(f: (x: never) => unknown): Ds;
  mapAsync(f: (x: never) => Promise<unknown>): Ds;
  filter(f: (x: never) => boolean): Ds;
  take(n: number): Ds;
  skip(n: number): Ds;
  repeat(n?: number): Ds;
  prefetch(n: number): Ds;
  concatenate(d: Ds): Ds;
  shuffle(n: number, seed?: string, re?: boolean): Ds;
  toArray(): Promise<unknown[]>;
  forEachAsync(f: (x: never) => void): Promise<void>;
  iterator(): Promise<{ next(): Promise<{ value: unknown; done: boolean }> }>;
}
interface Lib {
  data: DataApi;
  tensor(v: unknown, shape?: number[], dtype?: string): unknown;
  memory(): { numTensors: number };
}

const libs = (): [Lib, Lib] => [tf as unknown as Lib, fe as unknown as Lib];

/** An element with its tensors as {shape, dtype, values} (the same for both libraries), disposing them. */
function plain(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { dataSync?: unknown }).dataSync === 'function') {
    const t = v as { shape: number[]; dtype: string; dataSync(): ArrayLike<number>; dispose(): void };
    const out = { shape: [...t.shape], dtype: t.dtype, values: Array.from(t.dataSync()) };
    t.dispose();
    return out;
  }
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Runs `pipeline` on both libraries: its elements and size must agree, and no tensor may be left alive. */
async function sameAsTfjs(pipeline: (lib: Lib) => Ds): Promise<unknown[]> {
  const results: { size: number | null; elements: unknown[] }[] = [];
  for (const lib of libs()) {
    const before = lib.memory().numTensors;
    const ds = pipeline(lib);
    const elements = (await ds.toArray()).map(plain);
    results.push({ size: ds.size, elements });
    if (lib === (fe as unknown as Lib)) expect(lib.memory().numTensors, 'ferrite tensors left alive').toBe(before);
  }
  expect(results[1].elements).toEqual(results[0].elements);
  expect(results[1].size).toBe(results[0].size);
  return results[1].elements;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('fe.data matches tf.data', () => {
  it('array, map, filter, take, skip, repeat, concatenate', async () => {
    await sameAsTfjs(({ data }) => data.array(range(10)).map((x: number) => x * x));
    await sameAsTfjs(({ data }) => data.array(range(10)).filter((x: number) => x % 3 === 0));
    await sameAsTfjs(({ data }) => data.array(range(10)).take(4));
    await sameAsTfjs(({ data }) => data.array(range(10)).take(40));
    await sameAsTfjs(({ data }) => data.array(range(10)).skip(7));
    await sameAsTfjs(({ data }) => data.array(range(10)).skip(12));
    await sameAsTfjs(({ data }) => data.array(range(3)).repeat(3));
    await sameAsTfjs(({ data }) => data.array(range(3)).repeat(0));
    await sameAsTfjs(({ data }) => data.array(range(3)).repeat().take(7));
    await sameAsTfjs(({ data }) => data.array(range(3)).concatenate(data.array([7, 8])));
    await sameAsTfjs(({ data }) => data.array([]).concatenate(data.array([7, 8])));
    await sameAsTfjs(({ data }) => data.array(range(10)).prefetch(3).skip(2).take(5));
  });

  it('batch: numbers, numeric arrays, objects of them, tensors; the small last batch kept or dropped', async () => {
    await sameAsTfjs(({ data }) => data.array(range(10)).batch(4));
    await sameAsTfjs(({ data }) => data.array(range(10)).batch(4, false));
    await sameAsTfjs(({ data }) => data.array(range(8)).batch(4, false));
    await sameAsTfjs(({ data }) =>
      data
        .array(
          range(7).map((i) => [
            [i, i + 0.5],
            [-i - 1, 2],
          ]),
        )
        .batch(3),
    );
    await sameAsTfjs(({ data }) =>
      data.array(range(7).map((i) => ({ xs: { a: [i, i + 1], b: i * 2 }, ys: i % 2 }))).batch(3),
    );
    await sameAsTfjs((lib) =>
      lib.data
        .array(range(5))
        .map((i: number) => lib.tensor([i, i * 3], [2], 'int32'))
        .batch(2),
    );
    await sameAsTfjs((lib) =>
      lib.data
        .array(range(6))
        .map((i: number) => ({ xs: lib.tensor([[i], [i + 1]]), ys: lib.tensor(i % 3) }))
        .map((e: { xs: TF.Tensor; ys: TF.Tensor }) => ({ xs: e.xs.mul(2), ys: e.ys }))
        .batch(4),
    );
  });

  it('generator (sync and async), func, zip of arrays and of objects', async () => {
    await sameAsTfjs(({ data }) =>
      data
        .generator(function* () {
          for (let i = 0; i < 5; i++) yield { x: i, y: [i, -i] };
        })
        .batch(2),
    );
    await sameAsTfjs(({ data }) =>
      data.generator(async function* () {
        for (let i = 0; i < 4; i++) {
          await new Promise((r) => setTimeout(r, 1));
          yield i * 10;
        }
      }),
    );
    await sameAsTfjs(({ data }) => {
      let i = 0;
      return data.func(() => (i < 4 ? { value: i++, done: false } : { value: null, done: true }));
    });
    await sameAsTfjs(({ data }) => data.zip([data.array(range(5)), data.array(['a', 'b', 'c'])]));
    await sameAsTfjs(({ data }) =>
      data.zip({ xs: data.array(range(6).map((i) => [i, i])), ys: data.array(range(6)) }).batch(4),
    );
    // Nested structures: tf.data's size is NaN there (a bug), so elements only.
    const nested = fe.data.zip({ a: fe.data.array([1, 2]), b: [fe.data.array([3, 4, 9]), fe.data.array([5, 6])] });
    expect(await nested.toArray()).toEqual([
      { a: 1, b: [3, 5] },
      { a: 2, b: [4, 6] },
    ]);
    expect(nested.size).toBe(2);
  });

  it('mapAsync and forEachAsync; forEachAsync disposes each element', async () => {
    await sameAsTfjs(({ data }) => data.array(range(4)).mapAsync(async (x: number) => x + 1));
    for (const lib of libs()) {
      const before = lib.memory().numTensors;
      const seen: number[] = [];
      await lib.data
        .array(range(4))
        .map((x: number) => lib.tensor([x, x]))
        .forEachAsync((t: TF.Tensor) => void seen.push(t.dataSync()[0]));
      expect(seen).toEqual(range(4));
      expect(lib.memory().numTensors).toBe(before);
    }
  });

  it('csv from a file:// path, with label columns giving {xs, ys}', async () => {
    const path = join(dir, 'iris.csv');
    writeFileSync(path, 'a,b,"name, quoted",label\n1,2.5,x,0\n3,,"y, z",1\n-1,4,w,2\n');
    await sameAsTfjs(({ data }) => (data as unknown as typeof TF.data).csv(`file://${path}`) as unknown as Ds);
    await sameAsTfjs(
      ({ data }) =>
        (data as unknown as typeof TF.data)
          .csv(`file://${path}`, {
            columnConfigs: { label: { isLabel: true }, b: { default: 7 } },
            configuredColumnsOnly: true,
          })
          .batch(2) as unknown as Ds,
    );
    const ds = fe.data.csv(`file://${path}`);
    expect(await ds.columnNames()).toEqual(['a', 'b', 'name, quoted', 'label']);
    // RFC 4180's doubled quote inside a quoted field (tf.data keeps both quotes).
    writeFileSync(path, 'q;n\n"say ""hi""";1\n');
    expect(await fe.data.csv(`file://${path}`, { delimiter: ';' }).toArray()).toEqual([{ q: 'say "hi"', n: 1 }]);
  });
});

describe('Dataset.shuffle', () => {
  const order = async (ds: fe.data.Dataset<number>): Promise<number[]> => ds.toArray();

  it('a permutation; reproducible with a seed; reshuffled per pass unless reshuffleEachIteration is false', async () => {
    const base = fe.data.array(range(50));
    const a = base.shuffle(50, 'seed');
    const p1 = await order(a);
    const p2 = await order(a);
    expect([...p1].sort((x, y) => x - y)).toEqual(range(50));
    expect(p1).not.toEqual(range(50));
    expect(p2).not.toEqual(p1);
    expect(await order(base.shuffle(50, 'seed'))).toEqual(p1);
    expect(await order(base.shuffle(50, 'other'))).not.toEqual(p1);
    const fixed = base.shuffle(50, 7, false);
    expect(await order(fixed)).toEqual(await order(fixed));
    expect(a.size).toBe(50);
  });

  it('draws from a window: element i comes out no earlier than position i - bufferSize + 1', async () => {
    expect(await order(fe.data.array(range(20)).shuffle(1, 1))).toEqual(range(20));
    for (const seed of [1, 2, 3]) {
      const out = await order(fe.data.array(range(40)).shuffle(4, seed));
      out.forEach((v, pos) => expect(pos).toBeGreaterThanOrEqual(v - 3));
    }
  });

  it('follows the global seed when none is given', async () => {
    fe.setRandomSeed(5);
    const p1 = await order(fe.data.array(range(30)).shuffle(30));
    fe.setRandomSeed(5);
    expect(await order(fe.data.array(range(30)).shuffle(30))).toEqual(p1);
  });
});

describe('Dataset streams and errors', () => {
  it('iterator() gives {value, done} steps and is async-iterable; each call starts over', async () => {
    const ds = fe.data.array([1, 2]);
    const it = await ds.iterator();
    expect(await it.next()).toEqual({ value: 1, done: false });
    expect(await it.next()).toEqual({ value: 2, done: false });
    expect(await it.next()).toEqual({ value: null, done: true });
    const seen: number[] = [];
    for await (const v of await ds.iterator()) seen.push(v);
    expect(seen).toEqual([1, 2]);
  });

  it('array items stay usable: each pass hands out clones', async () => {
    const t = fe.tensor([1, 2]);
    const ds = fe.data.array([t]);
    for (let pass = 0; pass < 2; pass++) await ds.forEachAsync(() => {});
    expect(Array.from(t.dataSync())).toEqual([1, 2]);
    t.dispose();
  });

  it('filter, skip, take and an abandoned batch leave no tensor behind', async () => {
    const before = fe.memory().numTensors;
    const xs = range(10).map((i) => fe.tensor([i]));
    const out = await fe.data
      .array(xs)
      .filter((t) => t.dataSync()[0] % 2 === 0)
      .skip(1)
      .batch(2, false)
      .take(5)
      .toArray();
    expect(out.map((t) => Array.from((t as fe.Tensor).dataSync()))).toEqual([
      [2, 4],
      [6, 8],
    ]);
    fe.dispose(out as fe.Tensor[]);
    fe.dispose(xs);
    expect(fe.memory().numTensors).toBe(before);
  });

  it('sizes: unknown after filter and generators, endless after repeat()', () => {
    const a = fe.data.array(range(10));
    expect(a.filter(() => true).size).toBe(null);
    expect(a.repeat().size).toBe(Infinity);
    expect(a.repeat().take(3).size).toBe(3);
    expect(a.batch(3).size).toBe(4);
    expect(a.batch(3, false).size).toBe(3);
    expect(fe.data.generator(function* () {}).size).toBe(null);
    expect(fe.data.zip([a, a.take(4)]).size).toBe(4);
  });

  it('bad arguments fail clearly', async () => {
    const a = fe.data.array(range(4));
    expect(() => a.batch(0)).toThrow(/Dataset.batch: batchSize must be an integer >= 1, got 0/);
    expect(() => a.shuffle(undefined as unknown as number)).toThrow(/bufferSize must be given \(.*size: 4\)/);
    expect(() => a.prefetch(undefined as unknown as number)).toThrow(/prefetch: bufferSize is required/);
    await expect(a.repeat().toArray()).rejects.toThrow(/endless/);
    await expect(fe.data.array(['a', 'b']).batch(2).toArray()).rejects.toThrow(/holds the string 'a'/);
    await expect(
      fe.data
        .array([{ x: 1 }, { y: 2 }])
        .batch(2)
        .toArray(),
    ).rejects.toThrow(/element 1 has no \.x/);
    await expect(
      fe.data
        .generator(function* () {
          yield 1;
          throw new Error('disk gone');
        })
        .toArray(),
    ).rejects.toThrow(/data.generator: error thrown while iterating through a dataset: disk gone/);
    expect(() => fe.data.zip([a, 3 as never])).toThrow(/leaves must be datasets/);
  });

  it('repeat() of an empty dataset ends instead of spinning', async () => {
    expect(await fe.data.array([]).repeat().take(5).toArray()).toEqual([]);
  });
});
