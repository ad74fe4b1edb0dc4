// image.threshold against TF.js cpu: binary (with thresholds and inversion) and Otsu's
// method on RGB and grey images, float32 and int32, including images whose histograms have
// empty classes; bad input refused naming the op.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { tensor } from '../../ts/tensor/creation.js';
import { threshold } from '../../ts/image/threshold.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

/** An image of two blobs of levels (a bimodal histogram, as Otsu's method expects) plus noise. */
function image(h: number, w: number, c: number, seed: number, integer: boolean): number[] {
  const rand = rng(seed);
  return Array.from({ length: h * w * c }, (_, i) => {
    const p = Math.floor(i / c);
    const base = p % w < w / 2 ? 60 : 180;
    const v = Math.min(255, Math.max(0, base + (rand() - 0.5) * 120));
    return integer ? Math.round(v) : v;
  });
}

describe('image.threshold', () => {
  for (const [h, w, c] of [
    [6, 8, 3],
    [9, 5, 1],
    [16, 16, 3],
    [1, 7, 1],
  ]) {
    for (const dtype of ['float32', 'int32'] as const) {
      it(`[${h}, ${w}, ${c}] ${dtype}: binary and otsu, inverted or not, as TF.js`, () => {
        const values = image(h, w, c, h * w + c, dtype === 'int32');
        for (const [method, inverted, thresh] of [
          ['binary', false, 0.5],
          ['binary', true, 0.3],
          ['binary', false, 0.71],
          ['otsu', false, 0.5],
          ['otsu', true, 0.5],
        ] as const) {
          const want = tf.tidy(() =>
            Array.from(tf.image.threshold(tf.tensor3d(values, [h, w, c], dtype), method, inverted, thresh).dataSync()),
          );
          expectNoLeaks(() => {
            const x = tensor(values, [h, w, c], dtype);
            const y = threshold(x, method, inverted, thresh);
            expect(y.shape).toEqual([h, w, 1]);
            expect(y.dtype).toBe('int32');
            expect(Array.from(y.dataSync()), `${method} inverted ${inverted} ${thresh}`).toEqual(want);
            // Both classes present in these bimodal images.
            expect(new Set(want).size).toBe(h * w > 7 ? 2 : new Set(want).size);
            x.dispose();
            y.dispose();
          });
        }
      });
    }
  }

  it('a uniform image (one empty class at every split) as TF.js', () => {
    const values = new Array(4 * 4).fill(100);
    const want = tf.tidy(() => Array.from(tf.image.threshold(tf.tensor3d(values, [4, 4, 1]), 'otsu').dataSync()));
    const x = tensor(values, [4, 4, 1]);
    const y = threshold(x, 'otsu');
    expect(Array.from(y.dataSync())).toEqual(want);
    x.dispose();
    y.dispose();
  });

  it('rejects bad input naming the op', () => {
    const x = tensor(new Float32Array(8), [2, 2, 2]);
    expect(() => threshold(x)).toThrow(
      /threshold: image must have rank 3 .* 3 \(RGB\) or 1 \(grey\) channels, got \[2, 2, 2\]/,
    );
    const g = tensor(new Float32Array(4), [2, 2, 1]);
    expect(() => threshold(g, 'mean' as 'otsu')).toThrow(/threshold: method must be 'binary' or 'otsu'/);
    expect(() => threshold(g, 'binary', false, NaN)).toThrow(/threshold: threshValue must be a finite number/);
    x.dispose();
    g.dispose();
  });
});
