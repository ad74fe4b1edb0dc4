// Faults in data loading: parseIdx takes what fetch and FileReader give (an ArrayBuffer)
// and names what else it got; the MNIST-format loaders refuse train and test images of
// different sizes, before allocating any tensor.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasets, parseIdx } from '../../ts/data/index.js';
import { memory } from '../../ts/tensor/creation.js';
import { images, writeMnistFiles } from '../support/idx-files.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferrite-faults-data-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseIdx', () => {
  it('reads an ArrayBuffer as it reads a Uint8Array', () => {
    const bytes = images(2, 3, 4);
    const fromBuffer = parseIdx(bytes.buffer.slice(0) as ArrayBuffer, 'buffer', 3);
    const fromBytes = parseIdx(bytes, 'bytes', 3);
    expect(fromBuffer.shape).toEqual([2, 3, 4]);
    expect(Array.from(fromBuffer.data)).toEqual(Array.from(fromBytes.data));
  });

  it('names what it got when it is neither', () => {
    expect(() => parseIdx(new Float32Array(8) as never, 'f.idx')).toThrow(
      /f\.idx: parseIdx takes a Uint8Array or an ArrayBuffer, got Float32Array/,
    );
    expect(() => parseIdx('abc' as never, 'f.idx')).toThrow(
      /parseIdx takes a Uint8Array or an ArrayBuffer, got string/,
    );
  });
});

describe('MNIST-format loaders', () => {
  it('refuse 5x5 training images beside 28x28 test images, naming both files and sizes, leaking nothing', async () => {
    const d = writeMnistFiles(dir, 'sizes', 4, 3, 5, 5, 28, 28);
    const before = memory().numTensors;
    await expect(datasets.mnist.load({ path: d })).rejects.toThrow(
      /train-images-idx3-ubyte holds 5x5 images but t10k-images-idx3-ubyte holds 28x28; train and test images must have the same size/,
    );
    expect(memory().numTensors).toBe(before);
  });
});
