// examples/dcgan.ts runs end to end in both styles on a few batches (narrow networks):
// finite losses each epoch, a PNG grid per epoch that decodes to the expected size, and
// no tensor left behind. How well it trains is the example's business (and the 1-D GAN
// test's, test/api/gan.test.ts); this checks the program works.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { main as dcgan, type GanStyle } from '../../examples/dcgan.js';
import { memory } from '../../ts/tensor/creation.js';

describe('examples/dcgan', () => {
  for (const style of ['combined', 'custom'] as GanStyle[]) {
    it(`${style}: trains two epochs and writes a PNG grid per epoch`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'dcgan-'));
      const before = memory().numTensors;
      try {
        const r = await dcgan({
          style,
          epochs: 2,
          trainSize: 64,
          batchSize: 16,
          width: 4,
          latentDim: 8,
          outDir: out,
          verbose: 0,
        });
        expect(r.epochs).toHaveLength(2);
        for (const e of r.epochs) {
          expect(Number.isFinite(e.dLoss) && Number.isFinite(e.gLoss)).toBe(true);
          const png = PNG.sync.read(readFileSync(e.png!));
          // 4x4 images of 28x28 with 2-pixel gaps.
          expect([png.width, png.height]).toEqual([4 * 30 + 2, 4 * 30 + 2]);
        }
        expect(memory().numTensors).toBe(before);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
