// browser.fromPixels / browser.toPixels in Node, on raw RGBA pixels ({data, width,
// height}), against TF.js cpu; the canvas, image and ImageBitmap inputs are tested in
// Chromium (test/e2e/browser/pixels.test.ts).

import { describe, expect, it } from 'vitest';
import { browser, memory, tensor } from '../../ts/index.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';

// A 3x2 image whose bytes are all different, so a misplaced channel shows.
const width = 2;
const height = 3;
const data = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37 + 11) % 256);

describe('browser.fromPixels and browser.toPixels (Node)', () => {
  it('fromPixels gives int32 [height, width, numChannels], as TF.js, for 1..4 channels', async () => {
    const tf = await tfjsCpu();
    const before = memory().numTensors;
    for (const channels of [1, 2, 3, 4]) {
      const ours = browser.fromPixels({ data, width, height }, channels);
      const theirs = tf.browser.fromPixels({ data, width, height }, channels);
      expect(ours.dtype).toBe('int32');
      expect(ours.shape).toEqual(theirs.shape);
      expect(ours.shape).toEqual([height, width, channels]);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
      ours.dispose();
      theirs.dispose();
    }
    const rgb = browser.fromPixels({ data: new Uint8ClampedArray(data), width, height });
    expect(rgb.shape).toEqual([3, 2, 3]); // default numChannels 3
    expect(rgb.arraySync()).toEqual([
      [
        [11, 48, 85],
        [159, 196, 233],
      ],
      [
        [51, 88, 125],
        [199, 236, 17],
      ],
      [
        [91, 128, 165],
        [239, 20, 57],
      ],
    ]);
    rgb.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('toPixels gives RGBA bytes as TF.js: float32 in [0, 1], int32 in [0, 255], depth 1, 3 or 4', async () => {
    const tf = await tfjsCpu();
    const cases: [number[], number[], 'float32' | 'int32'][] = [
      [[0, 0.5, 1, 0.25, 0.004, 0.996], [2, 3], 'float32'],
      [[0, 128, 255, 7, 8, 9], [2, 3], 'int32'],
      [[0, 0.2, 0.4, 0.6, 0.8, 1], [1, 2, 3], 'float32'],
      [[1, 2, 3, 4, 250, 251, 252, 253], [1, 2, 4], 'int32'],
      [[0.1, 0.9], [2, 1, 1], 'float32'],
    ];
    for (const [values, shape, dtype] of cases) {
      const x = tensor(values, shape, dtype);
      const theirs = await tf.browser.toPixels(tf.tensor(values, shape, dtype) as never);
      expect(Array.from(await browser.toPixels(x)), `${dtype} [${shape}]`).toEqual(Array.from(theirs));
      x.dispose();
    }
  });

  it('round-trips: toPixels of fromPixels(rgba, 4) is the same bytes', async () => {
    const img = browser.fromPixels({ data, width, height }, 4);
    expect(Array.from(await browser.toPixels(img))).toEqual(Array.from(data));
    img.dispose();
  });

  it('says what is wrong with bad input, leaving no tensor behind', async () => {
    const before = memory().numTensors;
    expect(() => browser.fromPixels(null as never)).toThrow(/browser\.fromPixels: pixels must not be null/);
    expect(() => browser.fromPixels({ data, width, height }, 5)).toThrow(/numChannels must be 1, 2, 3 or 4, got 5/);
    expect(() => browser.fromPixels({ data, width: 3, height })).toThrow(/3x3x4 = 36, got 24/);
    expect(() => browser.fromPixels([1, 2, 3] as never)).toThrow(/pixels must be ImageData.*but was Array/);
    const cases: [number[], number[], 'float32' | 'int32' | 'bool', RegExp][] = [
      [[1, 2], [2], 'float32', /only rank 2 or 3 tensors are supported, got rank 1 \(shape \[2\]\)/],
      [[1, 2], [1, 1, 2], 'float32', /depth \(last dimension\) must be 1, 3 or 4, got 2/],
      [[1.5], [1, 1], 'float32', /values of a float32 tensor must be in \[0, 1\], got 1\.5/],
      [[256], [1, 1], 'int32', /values of a int32 tensor must be in \[0, 255\], got 256/],
      [[Number.NaN], [1, 1], 'float32', /got NaN/],
      [[1], [1, 1], 'bool', /unsupported dtype bool/],
    ];
    for (const [values, shape, dtype, message] of cases) {
      const x = tensor(values, shape, dtype);
      await expect(browser.toPixels(x)).rejects.toThrow(message);
      x.dispose();
    }
    expect(memory().numTensors).toBe(before);
  });
});
