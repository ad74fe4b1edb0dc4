// MNIST-format IDX files for tests: bytes of images and labels, and the four files of a data set.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** IDX bytes of unsigned bytes with the given shape. */
export function idx(shape: number[], data: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  out[2] = 0x08;
  out[3] = shape.length;
  const view = new DataView(out.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/** n images of rows x cols whose pixel p of image i is (7 i + p) mod 256, labels i mod 10. */
export function images(n: number, rows: number, cols: number): Uint8Array {
  return idx(
    [n, rows, cols],
    Array.from({ length: n * rows * cols }, (_, k) => (7 * Math.floor(k / (rows * cols)) + (k % (rows * cols))) % 256),
  );
}
export function labels(n: number): Uint8Array {
  return idx(
    [n],
    Array.from({ length: n }, (_, i) => i % 10),
  );
}

/** Writes the four MNIST-format files (n train images of rows x cols, m test images of testRows x testCols) into a fresh directory under dir; train gzipped. */
export function writeMnistFiles(
  dir: string,
  name: string,
  n = 12,
  m = 5,
  rows = 3,
  cols = 4,
  testRows = rows,
  testCols = cols,
): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  writeFileSync(join(d, 'train-images-idx3-ubyte.gz'), gzipSync(images(n, rows, cols)));
  writeFileSync(join(d, 'train-labels-idx1-ubyte.gz'), gzipSync(labels(n)));
  writeFileSync(join(d, 't10k-images-idx3-ubyte'), images(m, testRows, testCols));
  writeFileSync(join(d, 't10k-labels-idx1-ubyte'), labels(m));
  return d;
}
