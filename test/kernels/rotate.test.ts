// image.rotateWithOffset (core-rs/src/rotate.rs): values against TF.js cpu over sizes,
// angles, centres and fill values, on every build; the kernels against the naive ones; the
// gradient (which TF.js lacks) against finite differences; bitwise the same for 1, 2 and 3
// threads; bad input refused naming the op. And the colour conversions rgbToGrayscale /
// grayscaleToRGB against TF.js cpu.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { engine } from '../../ts/backend/engine.js';
import { grad } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { emptyTensor, type Tensor } from '../../ts/tensor/tensor.js';
import { mul } from '../../ts/ops/arithmetic.js';
import { sum } from '../../ts/ops/reduce.js';
import { slice } from '../../ts/ops/shape.js';
import { rotateParams, rotateWithOffset } from '../../ts/ops/rotate.js';
import { grayscaleToRGB, rgbToGrayscale } from '../../ts/image/color.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

const SHAPES = [
  [1, 5, 5, 1],
  [2, 6, 9, 3],
  [1, 8, 7, 4],
  [3, 1, 4, 2],
  [1, 11, 16, 5],
];
// Multiples of a quarter turn land exactly on .5 coordinates for some centres (ties of the rounding).
const ANGLES = [0, Math.PI / 2, -Math.PI / 4, 1, Math.PI, 3.5, -2 * Math.PI + 0.1];
const CENTERS: (number | [number, number])[] = [0.5, 0, [0.3, 0.8], [1, 0.25], [0.5 / 5, 2.5 / 5]];
const FILLS: (number | [number, number, number])[] = [0, -1.5, [10, 20, 30]];

describeEachBuild('image.rotateWithOffset', () => {
  for (const shape of SHAPES) {
    it(`${JSON.stringify(shape)}: TF.js values over angles, centres and fills; kernels equal the naive ones`, () => {
      const rand = rng(prod(shape));
      const xs = randomArray(prod(shape), rand);
      const dys = randomArray(prod(shape), rand);
      const tx = tf.tensor4d(xs, shape as [number, number, number, number]);
      const c = shape[3];
      for (const radians of ANGLES) {
        for (const center of CENTERS) {
          for (const fill of FILLS) {
            if (Array.isArray(fill) && c > 4) continue;
            const ty = tf.image.rotateWithOffset(tx, radians, fill, center);
            const want = ty.dataSync() as Float32Array;
            ty.dispose();
            const what = `radians ${radians} center ${JSON.stringify(center)} fill ${JSON.stringify(fill)}`;
            expectNoLeaks(() => {
              const x = tensor(xs, shape);
              const y = rotateWithOffset(x, radians, fill, center);
              expect(y.shape).toEqual(shape);
              // A copy of pixels or the fill: exactly TF.js's values.
              expect(Array.from(y.dataSync()), what).toEqual(Array.from(want));
              const eng = engine();
              const [cx, cy] = Array.isArray(center)
                ? [shape[2] * center[0], shape[1] * center[1]]
                : [shape[2] * center, shape[1] * center];
              const p = () => rotateParams(eng, shape, radians, cx, cy);
              const fillT = tensor(
                Array.from({ length: c }, (_, k) => (Array.isArray(fill) ? (k === 3 ? 255 : fill[k]) : fill)),
              );
              const dyT = tensor(dys, shape);
              const [yn, dx, dxn] = [
                emptyTensor(shape, 'float32', eng),
                emptyTensor(shape, 'float32', eng),
                emptyTensor(shape, 'float32', eng),
              ];
              eng.core.fe_rotate_forward_naive(p(), fillT.ptr, x.ptr, yn.ptr);
              eng.core.fe_rotate_backward(p(), dyT.ptr, dx.ptr);
              eng.core.fe_rotate_backward_naive(p(), dyT.ptr, dxn.ptr);
              expect(Array.from(yn.dataSync()), `naive ${what}`).toEqual(Array.from(want));
              expect(Array.from(dx.dataSync()), `dx ${what}`).toEqual(Array.from(dxn.dataSync()));
              for (const t of [x, y, fillT, dyT, yn, dx, dxn]) t.dispose();
            });
          }
        }
      }
      tx.dispose();
    });
  }

  it('the gradient (not in TF.js) matches finite differences, and is the adjoint: <dy, R x> = <R^T dy, x>', () => {
    const x = randomTensor([2, 6, 7, 3], rng(21));
    for (const [radians, center] of [
      [0.7, 0.5],
      [-2, [0.2, 0.9]],
    ] as [number, number | [number, number]][]) {
      checkGradients((t) => rotateWithOffset(t, radians, 0.25, center), [x], { maxPerInput: 60 });
      const dyT = randomTensor([...x.shape], rng(22));
      const dx = grad((t: Tensor) => sum(mul(rotateWithOffset(t, radians, 0, center), dyT)))(x);
      const y = rotateWithOffset(x, radians, 0, center);
      const [a, b] = [sum(mul(dyT, y)), sum(mul(dx, x))];
      expect(a.dataSync()[0]).toBeCloseTo(b.dataSync()[0], 4);
      for (const t of [dyT, dx, y, a, b]) t.dispose();
    }
    x.dispose();
  });

  it('a quarter turn about the middle of an odd square moves the pixel right of centre to above it', () => {
    // About pixel (1, 1): output (row 0, col 1) reads source (row 1, col 2), so the pixel
    // right of the centre ends above it: counter-clockwise on the screen (rows grow downward).
    const img = tensor([0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 3, 3, 1]);
    const y = rotateWithOffset(img, Math.PI / 2, 0, [1 / 3, 1 / 3]);
    expect(Array.from(y.dataSync())).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0]);
    const y2 = rotateWithOffset(img, Math.PI / 2, 0, [1.5 / 3, 1.5 / 3]);
    const want = tf.tidy(() =>
      tf.image
        .rotateWithOffset(tf.tensor4d([0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 3, 3, 1]), Math.PI / 2, 0, [0.5, 0.5])
        .dataSync(),
    );
    expect(Array.from(y2.dataSync())).toEqual(Array.from(want));
    for (const t of [img, y, y2]) t.dispose();
  });

  it('rejects bad input with errors naming the op', () => {
    const x = tensor(new Float32Array(2 * 2 * 5), [1, 2, 2, 5]);
    expect(() => rotateWithOffset(tensor(new Float32Array(4), [2, 2]), 1)).toThrow(
      /rotateWithOffset: image must have rank 4 \[batch, height, width, channels\], got \[2, 2\]/,
    );
    expect(() => rotateWithOffset(tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32'), 1)).toThrow(
      /rotateWithOffset: image must be float32, got int32/,
    );
    expect(() => rotateWithOffset(x, NaN)).toThrow(/rotateWithOffset: radians must be a finite number, got NaN/);
    expect(() => rotateWithOffset(x, 1, [1, 2, 3])).toThrow(/rotateWithOffset: .*up to 4 channels.*got 5 channels/);
    expect(() => rotateWithOffset(x, 1, [1, 2] as unknown as [number, number, number])).toThrow(
      /rotateWithOffset: fillValue must be a number or three numbers/,
    );
    expect(() => rotateWithOffset(x, 1, 0, [0.5] as unknown as [number, number])).toThrow(
      /rotateWithOffset: center must be a fraction/,
    );
    x.dispose();
  });
});

describe('image.rotateWithOffset: threads', () => {
  it('gives bitwise identical values and gradients for 1, 2 and 3 threads', async () => {
    const shape = [3, 40, 52, 8];
    const rand = rng(9);
    const xs = randomArray(prod(shape), rand);
    const dys = randomArray(prod(shape), rand);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const x = tensor(xs, shape);
      const dyT = tensor(dys, shape);
      const f = (t: Tensor) =>
        rotateWithOffset(t, 0.4, [1, 2, 3].map((v) => v / 4) as [number, number, number], [0.4, 0.6]);
      const g = (t: Tensor) => rotateWithOffset(t, 2.2, 0.5);
      return {
        y: f(slice(x, [0, 0, 0, 0], [3, 40, 52, 4])).dataSync() as Float32Array,
        y2: g(x).dataSync() as Float32Array,
        dx: grad((t: Tensor) => sum(mul(g(t), dyT)))(x).dataSync() as Float32Array,
      };
    });
  });
});

describeEachBuild('image.rgbToGrayscale / grayscaleToRGB', () => {
  for (const shape of [
    [4, 3],
    [5, 6, 3],
    [2, 3, 4, 3],
    [1, 2, 2, 3, 3],
  ]) {
    it(`${JSON.stringify(shape)}: TF.js values (float32 and int32), gradients by finite differences`, () => {
      const rand = rng(prod(shape));
      const xs = randomArray(prod(shape), rand, 0, 255);
      // Integers away from the truncation boundary of the grey level: int32 results are exact.
      const ints = Array.from(xs, (v) => Math.round(v));
      for (const [values, dtype] of [
        [xs, 'float32'],
        [ints, 'int32'],
      ] as const) {
        const want = tf.tidy(() =>
          tf.image.rgbToGrayscale(tf.tensor(values, shape, dtype) as unknown as TF.Tensor3D).dataSync(),
        );
        expectNoLeaks(() => {
          const x = tensor(values, shape, dtype);
          const y = rgbToGrayscale(x);
          expect(y.shape).toEqual([...shape.slice(0, -1), 1]);
          expect(y.dtype).toBe(dtype);
          if (dtype === 'float32') expectClose(y.dataSync() as Float32Array, want as Float32Array, 1e-5, 1e-4, 'gray');
          else {
            // Truncation can differ where the float grey level is within rounding of an integer.
            const got = y.dataSync();
            for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1);
          }
          x.dispose();
          y.dispose();
        });
      }
      const gray = randomArray(prod(shape) / 3, rand);
      const gshape = [...shape.slice(0, -1), 1];
      const wantRgb = tf.tidy(() =>
        tf.image.grayscaleToRGB(tf.tensor(gray, gshape) as unknown as TF.Tensor3D).dataSync(),
      );
      const g = tensor(gray, gshape);
      const rgb = grayscaleToRGB(g);
      expect(rgb.shape).toEqual(shape);
      expect(Array.from(rgb.dataSync())).toEqual(Array.from(wantRgb));
      checkGradients(
        (t) => rgbToGrayscale(t),
        [
          tensor(
            xs.map((v) => v / 255),
            shape,
          ),
        ],
      );
      checkGradients((t) => grayscaleToRGB(t), [g]);
      g.dispose();
      rgb.dispose();
    });
  }

  it('rejects images whose last axis is not the colour channels, naming the op', () => {
    const x = tensor(new Float32Array(8), [2, 4]);
    expect(() => rgbToGrayscale(x)).toThrow(
      /rgbToGrayscale: image must have rank 2 or more with a last axis of 3 .*got \[2, 4\]/,
    );
    expect(() => grayscaleToRGB(x)).toThrow(
      /grayscaleToRGB: image must have rank 2 or more with a last axis of 1 .*got \[2, 4\]/,
    );
    expect(() => rgbToGrayscale(tensor([1, 2, 3]))).toThrow(/rgbToGrayscale: image must have rank 2 or more/);
    x.dispose();
  });
});
