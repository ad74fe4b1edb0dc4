// image.resizeBilinear / resizeNearestNeighbor / cropAndResize (core-rs/src/upsample.rs):
// values against TF.js cpu over a grid of sizes (up, down, odd) and every flag
// combination, rank 3 and 4; gradients against TF.js's (where its gradient kernels follow
// the forward: it ignores halfPixelCenters there), against the core's naive kernels and
// against finite differences, on every build; bitwise the same for 1, 2 and 3 threads;
// usable inside a model; bad input refused with errors naming the op.

import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { tfjsCpu } from '../support/tfjs-cpu.js';
import { engine } from '../../ts/backend/engine.js';
import { writeParams } from '../../ts/backend/param-block.js';
import { grad } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { emptyTensor, type Tensor } from '../../ts/tensor/tensor.js';
import { mul } from '../../ts/ops/arithmetic.js';
import { sum } from '../../ts/ops/reduce.js';
import { cropAndResize, resizeBilinear, resizeNearestNeighbor, resizeParams } from '../../ts/ops/resize.js';
import * as fe from '../../ts/index.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjsCpu();
});

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

// [n, h, w, c] -> [oh, ow]: up, down, odd, one row/column, identity.
const SIZES: [number[], [number, number]][] = [
  [
    [2, 3, 4, 5],
    [7, 9],
  ],
  [
    [1, 7, 5, 3],
    [3, 2],
  ],
  [
    [2, 4, 4, 1],
    [4, 4],
  ],
  [
    [1, 5, 6, 2],
    [1, 11],
  ],
  [
    [1, 1, 1, 4],
    [3, 3],
  ],
  [
    [3, 6, 3, 6],
    [13, 5],
  ],
];
const FLAGS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
];
const OPS = {
  bilinear: { fe: resizeBilinear, tf: (t: typeof TF) => t.image.resizeBilinear, grad: 'ResizeBilinearGrad' },
  nearest: {
    fe: resizeNearestNeighbor,
    tf: (t: typeof TF) => t.image.resizeNearestNeighbor,
    grad: 'ResizeNearestNeighborGrad',
  },
};

describeEachBuild('image.resize', () => {
  for (const [mode, op] of Object.entries(OPS)) {
    for (const [shape, size] of SIZES) {
      for (const [ac, hp] of FLAGS) {
        it(`${mode} ${JSON.stringify(shape)} -> ${JSON.stringify(size)} alignCorners ${ac} halfPixelCenters ${hp}: TF.js values and gradients, naive kernels`, () => {
          const rand = rng(prod(shape) + size[0]);
          const xs = randomArray(prod(shape), rand);
          const outShape = [shape[0], size[0], size[1], shape[3]];
          const dys = randomArray(prod(outShape), rand);
          const tx = tf.tensor4d(xs, shape as [number, number, number, number]);
          const ty = op.tf(tf)(tx, size, ac, hp);
          const want = ty.dataSync() as Float32Array;
          const tdy = tf.tensor(dys, outShape);
          // TF.js's gradient kernels compute source coordinates without halfPixelCenters, and
          // its nearest gradient with alignCorners misses outputs (and never ends when a side
          // is 1): compared where they are the adjoint of its forward. Run directly: tf.grad
          // fails when height != width (the bilinear gradient reports the shape [batch, width,
          // height, depth]; its values are right).
          // Its nearest gradient also reads dy at the images' batch stride: run one image at a time.
          const compare = !hp && !(mode === 'nearest' && ac);
          const tfGrad = (images: TF.Tensor, dy: TF.Tensor) =>
            tf.engine().runKernel(op.grad, { images, dy }, { alignCorners: ac }) as TF.Tensor;
          const perImage = (t: TF.Tensor, b: number) => t.slice(b, 1);
          const tdx = !compare
            ? undefined
            : mode === 'bilinear'
              ? tfGrad(tx, tdy)
              : tf.tidy(() =>
                  tf.concat(
                    Array.from({ length: shape[0] }, (_, b) =>
                      tfGrad(perImage(tx, b), perImage(tdy, b)).reshape([1, ...shape.slice(1)]),
                    ),
                  ),
                );
          const wantDx = tdx?.dataSync() as Float32Array | undefined;
          tf.dispose([tx, ty, tdy]);
          tdx?.dispose();
          expectNoLeaks(() => {
            const x = tensor(xs, shape);
            const y = op.fe(x, size, ac, hp);
            expect(y.shape).toEqual(outShape);
            expectClose(y.dataSync() as Float32Array, want, 1e-5, 1e-6, 'y vs TF.js');
            const dyT = tensor(dys, outShape);
            const dx = grad((t) => sum(mul(op.fe(t, size, ac, hp), dyT)))(x);
            if (wantDx !== undefined) expectClose(dx.dataSync() as Float32Array, wantDx, 1e-5, 1e-5, 'dx vs TF.js');
            const eng = engine();
            const [yn, dxn] = [emptyTensor(outShape, 'float32', eng), emptyTensor(shape, 'float32', eng)];
            const p = () => resizeParams(eng, shape, size, mode === 'bilinear', ac, hp);
            eng.core.fe_resize_forward_naive(p(), x.ptr, yn.ptr);
            eng.core.fe_resize_backward_naive(p(), dyT.ptr, dxn.ptr);
            expectClose(y.dataSync() as Float32Array, yn.dataSync() as Float32Array, 1e-6, 1e-6, 'y vs naive');
            expectClose(dx.dataSync() as Float32Array, dxn.dataSync() as Float32Array, 1e-5, 1e-5, 'dx vs naive');
            for (const t of [x, y, dyT, dx, yn, dxn]) t.dispose();
          });
        });
      }
    }
    for (const [ac, hp] of FLAGS) {
      it(`${mode} alignCorners ${ac} halfPixelCenters ${hp}: gradients match finite differences (up and down, rank 3 and 4)`, () => {
        const x = randomTensor([2, 4, 5, 3], rng(5));
        checkGradients((t) => op.fe(t, [7, 3], ac, hp), [x]);
        const x3 = randomTensor([5, 4, 2], rng(6));
        checkGradients((t) => op.fe(t, [3, 6], ac, hp), [x3]);
        x.dispose();
        x3.dispose();
      });
    }
    it(`${mode}: rank 3 equals rank 4 with a batch of one`, () => {
      const xs = randomArray(5 * 7 * 3, rng(2));
      const a = op.fe(tensor(xs, [5, 7, 3]), [9, 4], false, true);
      const b = op.fe(tensor(xs, [1, 5, 7, 3]), [9, 4], false, true);
      expect(a.shape).toEqual([9, 4, 3]);
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    });
  }

  it('rejects bad input with errors naming the op', () => {
    const x = tensor(new Float32Array(12), [1, 2, 2, 3]);
    expect(() => resizeBilinear(tensor(new Float32Array(4), [2, 2]), [2, 2])).toThrow(
      /resizeBilinear: images must have rank 3 .* or 4 .*got \[2, 2\]/,
    );
    expect(() => resizeNearestNeighbor(x, [0, 2])).toThrow(/resizeNearestNeighbor: size must be two positive integers/);
    expect(() => resizeBilinear(x, [2, 2], true, true)).toThrow(
      /resizeBilinear: if halfPixelCenters is true, alignCorners must be false/,
    );
    expect(() => cropAndResize(x, [[0, 0, 1, 1]], [1], [2, 2])).toThrow(
      /cropAndResize: boxInd\[0\] is 1, outside \[0, 1\)/,
    );
    expect(() => cropAndResize(x, [[0, 0, 1]], [0], [2, 2])).toThrow(
      /cropAndResize: boxes must have shape \[numBoxes, 4\]/,
    );
    expect(() => cropAndResize(x, [[0, 0, 1, 1]], [0, 0], [2, 2])).toThrow(
      /cropAndResize: boxInd must be int32 of shape \[1\]/,
    );
    expect(() => cropAndResize(x, [[0, 0, 1, 1]], [0], [2, 2], 'cubic' as 'nearest')).toThrow(
      /cropAndResize: method must be 'bilinear' or 'nearest'/,
    );
    x.dispose();
  });
});

// Boxes: inside, flipped (y1 > y2), partly outside (extrapolated), a point crop, the whole image.
const BOXES = [
  [0.1, 0.2, 0.8, 0.9],
  [0.9, 0.7, 0.05, 0.1],
  [-0.3, 0.4, 1.2, 1.5],
  [0.5, 0.5, 0.5, 0.5],
  [0, 0, 1, 1],
];
const BOX_IND = [1, 0, 2, 1, 0];

describeEachBuild('image.cropAndResize', () => {
  for (const method of ['bilinear', 'nearest'] as const) {
    for (const cropSize of [
      [5, 4],
      [1, 1],
      [3, 9],
    ] as [number, number][]) {
      it(`${method} cropSize ${JSON.stringify(cropSize)}: TF.js values; gradient against the naive kernel`, () => {
        const shape = [3, 6, 7, 3];
        const rand = rng(11 + cropSize[1]);
        const xs = randomArray(prod(shape), rand);
        const tx = tf.tensor4d(xs, shape as [number, number, number, number]);
        const ty = tf.image.cropAndResize(tx, BOXES, BOX_IND, cropSize, method, -2.5);
        const want = ty.dataSync() as Float32Array;
        tf.dispose([tx, ty]);
        expectNoLeaks(() => {
          const x = tensor(xs, shape);
          const y = cropAndResize(x, BOXES, BOX_IND, cropSize, method, -2.5);
          expect(y.shape).toEqual([BOXES.length, ...cropSize, 3]);
          expectClose(y.dataSync() as Float32Array, want, 1e-5, 1e-6, 'y vs TF.js');
          const dys = randomArray(y.size, rand);
          const dyT = tensor(dys, y.shape);
          const dx = grad((t) => sum(mul(cropAndResize(t, BOXES, BOX_IND, cropSize, method, -2.5), dyT)))(x);
          const eng = engine();
          const [boxes, ind] = [tensor(BOXES), tensor(BOX_IND, undefined, 'int32')];
          const words = [BOXES.length, 3, 6, 7, 3, ...cropSize, method === 'bilinear' ? 1 : 0, 0];
          const [yn, dxn] = [emptyTensor(y.shape, 'float32', eng), emptyTensor(shape, 'float32', eng)];
          eng.core.fe_crop_and_resize_forward_naive(writeParams(eng, words, 9), x.ptr, boxes.ptr, ind.ptr, yn.ptr);
          eng.core.fe_crop_and_resize_backward_naive(writeParams(eng, words, 9), boxes.ptr, ind.ptr, dyT.ptr, dxn.ptr);
          // The naive call extrapolates with 0: compare the outputs that are not extrapolated.
          const got = y.dataSync();
          const naive = yn.dataSync();
          for (let k = 0; k < got.length; k++)
            if (got[k] !== -2.5) expect(Math.abs(got[k] - naive[k])).toBeLessThan(1e-6);
          expectClose(dx.dataSync() as Float32Array, dxn.dataSync() as Float32Array, 1e-5, 1e-5, 'dx vs naive');
          for (const t of [x, y, dyT, dx, boxes, ind, yn, dxn]) t.dispose();
        });
      });
    }
    it(`${method}: gradient to the image matches finite differences`, () => {
      const x = randomTensor([3, 5, 6, 2], rng(13));
      checkGradients((t) => cropAndResize(t, BOXES, BOX_IND, [4, 3], method, 0.5), [x], { maxPerInput: 60 });
      x.dispose();
    });
  }
});

describe('image ops: threads', () => {
  it('give bitwise identical results for 1, 2 and 3 threads', async () => {
    const shape = [3, 20, 24, 8];
    const rand = rng(9);
    const xs = randomArray(prod(shape), rand);
    const dys = randomArray(3 * 37 * 41 * 8, rand);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const out: Record<string, Float32Array> = {};
      const x = tensor(xs, shape);
      const dyT = tensor(dys, [3, 37, 41, 8]);
      for (const [name, f] of [
        ['bilinear', (t: Tensor) => resizeBilinear(t, [37, 41], false, true)],
        ['nearest', (t: Tensor) => resizeNearestNeighbor(t, [37, 41], true)],
        ['crop', (t: Tensor) => cropAndResize(t, [...BOXES.slice(0, 3)], [2, 0, 2], [37, 41])],
      ] as const) {
        out[`${name} y`] = f(x).dataSync() as Float32Array;
        out[`${name} dx`] = grad((t: Tensor) => sum(mul(f(t), dyT)))(x).dataSync() as Float32Array;
      }
      return out;
    });
  });
});

describe('image.resizeBilinear inside a model', () => {
  class Resize extends fe.layers.Layer {
    static override className = 'ResizeForTest';
    override computeOutputShape(s: (number | null)[] | (number | null)[][]) {
      const shape = s as (number | null)[];
      return [shape[0], 8, 8, shape[3]];
    }
    override call(inputs: fe.Tensor | fe.Tensor[]): fe.Tensor {
      return fe.image.resizeBilinear(Array.isArray(inputs) ? inputs[0] : inputs, [8, 8]);
    }
  }
  it('a custom layer that resizes trains: the loss falls and the gradient flows through the resize', async () => {
    await fe.ready();
    fe.setRandomSeed(3);
    const m = fe.sequential({
      layers: [
        fe.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 3, padding: 'same' }),
        new Resize({}),
        fe.layers.flatten(),
        fe.layers.dense({ units: 1 }),
      ],
    });
    m.compile({ optimizer: fe.train.adam(0.02), loss: 'meanSquaredError' });
    const rand = rng(4);
    const xs = fe.tensor(randomArray(32 * 16, rand), [32, 4, 4, 1]);
    // A target that depends on the input pixels: the sum of the first row.
    const ys = fe.tidy(() => fe.sum(fe.slice(xs, [0, 0, 0, 0], [32, 1, 4, 1]), [1, 2, 3]).reshape([32, 1]));
    const h = await m.fit(xs, ys, { epochs: 40, batchSize: 32, verbose: 0 });
    const loss = h.history.loss as number[];
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] * 0.2);
    fe.dispose([xs, ys]);
    m.dispose();
  });
});
