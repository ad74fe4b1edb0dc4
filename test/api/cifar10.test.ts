// The CIFAR-10 binary loader, on files this test writes byte by byte: plane order
// (R, G, B planes → NHWC), labels, one-hot, limits, the nested directory of the
// official archive, and the errors for a missing directory, a truncated file and a bad
// label byte.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasets, encodeCifar10 } from '../../ts/data/index.js';
import { memory } from '../../ts/tensor/creation.js';
import { ready } from '../../ts/backend/engine.js';

/** A pixel value that differs by record, row, column and channel. */
const pixel = (record: number, row: number, col: number, ch: number): number =>
  (record * 7 + row * 3 + col * 5 + ch * 101) % 256;

/**
 * CIFAR-10 records written by hand: for record r (global index `first + r`), the
 * label byte, then the red plane (32 rows of 32), the green plane, the blue plane.
 */
function records(first: number, labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, r) => {
    const base = r * 3073;
    out[base] = label;
    for (let ch = 0; ch < 3; ch++)
      for (let row = 0; row < 32; row++)
        for (let col = 0; col < 32; col++) out[base + 1 + ch * 1024 + row * 32 + col] = pixel(first + r, row, col, ch);
  });
  return out;
}

let root: string;
const dir = (name: string) => {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
};

beforeAll(async () => {
  await ready();
  root = mkdtempSync(join(tmpdir(), 'ferrite-cifar-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const TRAIN_LABELS = [
  [3, 0, 9],
  [1, 5],
];
const TEST_LABELS = [7, 2, 8, 4];

function writeDataset(d: string): void {
  writeFileSync(join(d, 'data_batch_1.bin'), records(0, TRAIN_LABELS[0]));
  writeFileSync(join(d, 'data_batch_2.bin'), records(3, TRAIN_LABELS[1]));
  writeFileSync(join(d, 'test_batch.bin'), records(100, TEST_LABELS));
}

describe('datasets.cifar10.load', () => {
  it('turns R, G, B planes into NHWC images scaled by 1/255, with int32 labels, across batch files in order', async () => {
    const d = dir('good');
    writeDataset(d);
    const { train, test } = await datasets.cifar10.load({ path: d });
    expect(train.x.shape).toEqual([5, 32, 32, 3]);
    expect(train.x.dtype).toBe('float32');
    expect(train.y.dtype).toBe('int32');
    expect(Array.from(train.y.dataSync())).toEqual([3, 0, 9, 1, 5]);
    expect(Array.from(test.y.dataSync())).toEqual(TEST_LABELS);
    const check = (x: Float32Array, n: number, first: number) => {
      for (let r = 0; r < n; r++)
        for (let row = 0; row < 32; row++)
          for (let col = 0; col < 32; col++)
            for (let ch = 0; ch < 3; ch++) {
              const got = x[((r * 32 + row) * 32 + col) * 3 + ch];
              const want = Math.fround(pixel(first + r, row, col, ch) / 255);
              if (got !== want) expect.fail(`image ${r} at (${row}, ${col}, channel ${ch}): ${got}, expected ${want}`);
            }
    };
    check(train.x.dataSync() as Float32Array, 5, 0);
    check(test.x.dataSync() as Float32Array, 4, 100);
    for (const t of [train.x, train.y, test.x, test.y]) t.dispose();
  });

  it('one-hot labels, raw 0-255 pixels, size limits, and the nested cifar-10-batches-bin directory', async () => {
    const parent = dir('archive');
    writeDataset(dir('archive/cifar-10-batches-bin'));
    const { train, test } = await datasets.cifar10.load({
      path: parent,
      oneHot: true,
      normalize: false,
      trainSize: 4,
      testSize: 1,
    });
    expect(train.y.shape).toEqual([4, 10]);
    expect(train.y.dtype).toBe('float32');
    const hot = train.y.arraySync() as number[][];
    expect(hot.map((row) => row.indexOf(1))).toEqual([3, 0, 9, 1]);
    expect(hot.every((row) => row.reduce((a, b) => a + b, 0) === 1)).toBe(true);
    expect(test.x.shape).toEqual([1, 32, 32, 3]);
    // Not normalized: the bytes themselves. Image 3 is the first of data_batch_2.
    const x = train.x.dataSync();
    expect(x[((3 * 32 + 4) * 32 + 5) * 3 + 2]).toBe(pixel(3, 4, 5, 2));
    for (const t of [train.x, train.y, test.x, test.y]) t.dispose();
    await expect(datasets.cifar10.load({ path: parent, trainSize: 6 })).rejects.toThrow(
      /trainSize must be an integer in \[0, 5\].*got 6/,
    );
  });

  it('encodeCifar10 writes what the loader reads back', async () => {
    const d = dir('encoded');
    const n = 3;
    const pixels = Uint8Array.from({ length: n * 3072 }, (_, i) => (i * 37) % 256);
    writeFileSync(join(d, 'data_batch_1.bin'), encodeCifar10(pixels, [4, 4, 1]));
    writeFileSync(join(d, 'test_batch.bin'), encodeCifar10(pixels.subarray(0, 3072), [6]));
    const { train, test } = await datasets.cifar10.load({ path: d, normalize: false });
    expect(Array.from(train.x.dataSync())).toEqual(Array.from(pixels));
    expect(Array.from(train.y.dataSync())).toEqual([4, 4, 1]);
    // And byte for byte the hand-written layout.
    const handWritten = records(0, [5]);
    const nhwc = new Uint8Array(3072);
    for (let row = 0; row < 32; row++)
      for (let col = 0; col < 32; col++)
        for (let ch = 0; ch < 3; ch++) nhwc[(row * 32 + col) * 3 + ch] = pixel(0, row, col, ch);
    expect(encodeCifar10(nhwc, [5])).toEqual(handWritten);
    expect(() => encodeCifar10(nhwc, [10])).toThrow(/label 10 at index 0 is not a class 0-9/);
    for (const t of [train.x, train.y, test.x, test.y]) t.dispose();
  });

  it('says where to get CIFAR-10 when the directory or a file is missing', async () => {
    const missing = join(root, 'nowhere');
    await expect(datasets.cifar10.load({ path: missing })).rejects.toThrow(
      /the directory .*nowhere does not exist\. CIFAR-10 cannot be downloaded at run time.*"CIFAR-10 binary version"/,
    );
    await expect(datasets.cifar10.load({})).rejects.toThrow(/pass \{path\}/);
    const empty = dir('empty');
    await expect(datasets.cifar10.load({ path: empty })).rejects.toThrow(
      /cannot find data_batch_1\.bin in .*empty\. CIFAR-10 cannot be downloaded/,
    );
    const noTest = dir('no-test');
    writeFileSync(join(noTest, 'data_batch_1.bin'), records(0, [1]));
    await expect(datasets.cifar10.load({ path: noTest })).rejects.toThrow(/cannot find test_batch\.bin/);
    writeFileSync(join(root, 'cifar-10-binary.tar.gz'), new Uint8Array(10));
    await expect(datasets.cifar10.load({ path: join(root, 'cifar-10-binary.tar.gz') })).rejects.toThrow(
      /got the file .*Extract it first/,
    );
  });

  it('rejects a truncated file (expected vs actual size) and a label byte above 9, without leaking tensors', async () => {
    const before = memory().numTensors;
    const truncated = dir('truncated');
    writeDataset(truncated);
    writeFileSync(join(truncated, 'data_batch_2.bin'), records(3, [1, 5]).subarray(0, 3073 + 1000));
    await expect(datasets.cifar10.load({ path: truncated })).rejects.toThrow(
      /data_batch_2\.bin is truncated or not CIFAR-10 binary data: its size must be a multiple of 3,073 bytes .*expected 6,146 bytes for 2 images \(or 3,073 for 1\), got 4,073/,
    );
    const badLabel = dir('bad-label');
    writeDataset(badLabel);
    const bytes = records(100, TEST_LABELS);
    bytes[2 * 3073] = 12;
    writeFileSync(join(badLabel, 'test_batch.bin'), bytes);
    await expect(datasets.cifar10.load({ path: badLabel })).rejects.toThrow(
      /test_batch\.bin: record 2 \(byte offset 6,146\) has label byte 12, but CIFAR-10 labels are 0-9/,
    );
    expect(memory().numTensors).toBe(before);
  });
});
