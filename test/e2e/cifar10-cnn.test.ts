// The CIFAR-10 CNN program (examples/cifar10-cnn.ts) as a smoke test: CIFAR-10 is not on this machine,
// so the test writes a small learnable data set in the CIFAR-10 binary format (each
// class a colour and a stripe direction, plus noise), runs the example on it, and checks
// that the loss falls, validation beats chance, and the History chart is written. Also:
// with no data the program says where to get CIFAR-10 and returns cleanly.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCifar10 } from '../../ts/data/index.js';
import { setRandomSeed } from '../../ts/ops/index.js';
import { memory } from '../../ts/tensor/creation.js';
import { main as cifar10Cnn } from '../../examples/cifar10-cnn.js';
import { rng } from '../support/helpers.js';

const root = mkdtempSync(join(tmpdir(), 'ferrite-cifar10-cnn-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** n images of 10 classes: class k has its own tint and, for k >= 5, vertical stripes. */
function synthetic(n: number, rand: () => number): { pixels: Uint8Array; labels: number[] } {
  const pixels = new Uint8Array(n * 3072);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    labels.push(k);
    const tint = [(k * 53) % 256, (k * 97 + 40) % 256, (k * 151 + 80) % 256];
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) {
        const stripe = k >= 5 ? ((x >> 2) & 1) * 60 : ((y >> 2) & 1) * 60;
        for (let c = 0; c < 3; c++) {
          const v = tint[c] * 0.6 + stripe + 80 * rand();
          pixels[i * 3072 + (y * 32 + x) * 3 + c] = Math.min(255, Math.round(v));
        }
      }
  }
  return { pixels, labels };
}

describe('CIFAR-10 CNN (examples/cifar10-cnn.ts)', () => {
  it('trains on CIFAR-format files, the loss falls, and the History chart is written', async () => {
    const rand = rng(17);
    const trainSet = synthetic(600, rand);
    const testSet = synthetic(200, rand);
    // Two training batch files, as CIFAR-10 splits its data.
    writeFileSync(
      join(root, 'data_batch_1.bin'),
      encodeCifar10(trainSet.pixels.subarray(0, 400 * 3072), trainSet.labels.slice(0, 400)),
    );
    writeFileSync(
      join(root, 'data_batch_2.bin'),
      encodeCifar10(trainSet.pixels.subarray(400 * 3072), trainSet.labels.slice(400)),
    );
    writeFileSync(join(root, 'test_batch.bin'), encodeCifar10(testSet.pixels, testSet.labels));

    setRandomSeed(3);
    const before = memory().numTensors;
    const chartPath = join(root, 'out', 'cifar10-cnn-history.svg');
    const lines: string[] = [];
    const r = await cifar10Cnn({ path: root, epochs: 3, chartPath, verbose: 2, log: (l) => lines.push(l) });
    expect(r.trained).toBe(true);
    const h = r.history!.history;
    expect(Object.keys(h).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(h.loss).toHaveLength(3);
    expect(h.loss[2]).toBeLessThan(h.loss[0]);
    expect(h.loss[0]).toBeLessThan(2.31); // starts near ln 10 and falls within the first epoch
    expect(r.testAccuracy!).toBeGreaterThan(0.3); // chance is 0.1
    expect(lines.some((l) => l.includes('Total params: 122,570'))).toBe(true);
    expect(lines.some((l) => l.includes(chartPath))).toBe(true);
    const svg = readFileSync(chartPath, 'utf8');
    for (const s of ['acc', 'val_acc', 'loss', 'val_loss']) expect(svg).toContain(`data-series="${s}"`);
    expect(memory().numTensors).toBe(before);
  });

  it('without data says where to get CIFAR-10 and returns cleanly', async () => {
    const saved = process.env.CIFAR10_PATH;
    delete process.env.CIFAR10_PATH;
    try {
      const lines: string[] = [];
      expect(await cifar10Cnn({ log: (l) => lines.push(l) })).toEqual({ trained: false });
      expect(lines.join('\n')).toMatch(/pass --path DIR \(or set CIFAR10_PATH=DIR\).*"CIFAR-10 binary version"/);
      lines.length = 0;
      const chartPath = join(root, 'never.svg');
      expect(await cifar10Cnn({ path: join(root, 'missing'), chartPath, log: (l) => lines.push(l) })).toEqual({
        trained: false,
      });
      expect(lines.join('\n')).toMatch(/does not exist\. CIFAR-10 cannot be downloaded at run time/);
      expect(existsSync(chartPath)).toBe(false);
    } finally {
      if (saved !== undefined) process.env.CIFAR10_PATH = saved;
    }
  });
});
