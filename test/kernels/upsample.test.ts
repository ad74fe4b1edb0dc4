// upSampling2d (core-rs/src/upsample.rs): nearest and bilinear forward and backward against
// a float64 reference written from TF's resize formulas (alignCorners = halfPixelCenters =
// false) and against the core's exported naive kernels, gradients against finite
// differences, on every build; bitwise the same for 1, 2 and 3 threads.

import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, randomTensor, rng } from '../support/helpers.js';
import { expectNoLeaks } from '../support/leaks.js';
import { THREAD_COUNTS, expectSameBitsOn } from '../support/same-bits.js';
import { engine } from '../../ts/backend/engine.js';
import { grad } from '../../ts/autograd/tape.js';
import { tensor } from '../../ts/tensor/creation.js';
import { emptyTensor, type Tensor } from '../../ts/tensor/tensor.js';
import { mul } from '../../ts/ops/arithmetic.js';
import { sum } from '../../ts/ops/reduce.js';
import { upSampling2d, upsampleParams, type Interpolation } from '../../ts/ops/upsample.js';

interface Case {
  x: [number, number, number, number];
  size: [number, number];
}
const CASES: Case[] = [
  { x: [2, 3, 4, 5], size: [2, 2] },
  { x: [1, 4, 3, 1], size: [3, 2] },
  { x: [3, 2, 2, 9], size: [1, 4] },
  // Enough output rows that the threaded build splits them.
  { x: [4, 14, 14, 16], size: [2, 2] },
];

/** Float64 upsampling of x (flat NHWC) by TF's formulas: source (i / sh, j / sw). */
function reference(x: Float32Array, [n, h, w, c]: number[], [sh, sw]: number[], mode: Interpolation): Float64Array {
  const [oh, ow] = [h * sh, w * sw];
  const y = new Float64Array(n * oh * ow * c);
  const at = (b: number, r: number, col: number, k: number) => ((b * h + r) * w + col) * c + k;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let k = 0; k < c; k++) {
          const o = ((b * oh + i) * ow + j) * c + k;
          const [fy, fx] = [i / sh, j / sw];
          const [y0, x0] = [Math.floor(fy), Math.floor(fx)];
          if (mode === 'nearest') {
            y[o] = x[at(b, y0, x0, k)];
            continue;
          }
          const [y1, x1] = [Math.min(y0 + 1, h - 1), Math.min(x0 + 1, w - 1)];
          const [dy, dx] = [fy - y0, fx - x0];
          const top = x[at(b, y0, x0, k)] * (1 - dx) + x[at(b, y0, x1, k)] * dx;
          const bottom = x[at(b, y1, x0, k)] * (1 - dx) + x[at(b, y1, x1, k)] * dx;
          y[o] = top * (1 - dy) + bottom * dy;
        }
  return y;
}

/** The adjoint of `reference` applied to dy: dx[p] = Σ dy · ∂y/∂x[p], by linearity from one-hot images. */
function referenceGrad(dy: Float32Array, shape: number[], size: number[], mode: Interpolation): Float64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const dx = new Float64Array(n);
  const hot = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    hot[p] = 1;
    const y = reference(hot, shape, size, mode);
    let s = 0;
    for (let o = 0; o < y.length; o++) s += y[o] * dy[o];
    dx[p] = s;
    hot[p] = 0;
  }
  return dx;
}

const MODES: Interpolation[] = ['nearest', 'bilinear'];

describeEachBuild('upSampling2d', () => {
  for (const mode of MODES) {
    for (const c of CASES) {
      it(`${mode} ${JSON.stringify(c)}: forward and backward match the float64 reference and the core's naive kernels`, () => {
        const rand = rng(3);
        const xs = randomArray(
          c.x.reduce((a, b) => a * b, 1),
          rand,
        );
        const outShape = [c.x[0], c.x[1] * c.size[0], c.x[2] * c.size[1], c.x[3]];
        const dys = randomArray(
          outShape.reduce((a, b) => a * b, 1),
          rand,
        );
        expectNoLeaks(() => {
          const x = tensor(xs, c.x);
          const y = upSampling2d(x, c.size, mode);
          expect(y.shape).toEqual(outShape);
          expectClose(y.dataSync() as Float32Array, reference(xs, c.x, c.size, mode), 1e-6, 1e-6, 'y');
          const dyT = tensor(dys, outShape);
          const dx = grad((t) => sum(mul(upSampling2d(t, c.size, mode), dyT)))(x);
          if (c.x[1] * c.x[2] * c.x[3] * c.x[0] <= 200) {
            expectClose(dx.dataSync() as Float32Array, referenceGrad(dys, c.x, c.size, mode), 1e-5, 1e-5, 'dx');
          }
          // The core's naive kernels agree too.
          const eng = engine();
          const [yn, dxn] = [emptyTensor(outShape, 'float32', eng), emptyTensor(c.x, 'float32', eng)];
          eng.core.fe_upsample2d_forward_naive(upsampleParams(eng, c.x, c.size, mode), x.ptr, yn.ptr);
          eng.core.fe_upsample2d_backward_naive(upsampleParams(eng, c.x, c.size, mode), dyT.ptr, dxn.ptr);
          expectClose(y.dataSync() as Float32Array, yn.dataSync() as Float32Array, 1e-6, 1e-6, 'y vs naive');
          expectClose(dx.dataSync() as Float32Array, dxn.dataSync() as Float32Array, 1e-5, 1e-5, 'dx vs naive');
          for (const t of [x, y, dyT, dx, yn, dxn]) t.dispose();
        });
      });
    }
    it(`${mode}: gradients match finite differences`, () => {
      const x = randomTensor([2, 3, 3, 2], rng(5));
      checkGradients((t) => upSampling2d(t, [2, 3], mode), [x]);
      x.dispose();
    });
  }

  it('rejects bad input with errors naming the op', () => {
    const x = tensor(new Float32Array(12), [1, 2, 2, 3]);
    expect(() => upSampling2d(tensor(new Float32Array(4), [2, 2]), [2, 2])).toThrow(/upSampling2d: x must have rank 4/);
    expect(() => upSampling2d(x, [0, 2])).toThrow(/upSampling2d: size must be two positive integers/);
    expect(() => upSampling2d(x, [2, 2], 'cubic' as Interpolation)).toThrow(
      /interpolation must be 'nearest' or 'bilinear'/,
    );
    x.dispose();
  });
});

describe('upSampling2d: threads', () => {
  it('gives bitwise identical results for 1, 2 and 3 threads', async () => {
    const c = CASES[3];
    const rand = rng(9);
    const xs = randomArray(
      c.x.reduce((a, b) => a * b, 1),
      rand,
    );
    const dys = randomArray(c.x.reduce((a, b) => a * b, 1) * 4, rand);
    await expectSameBitsOn(THREAD_COUNTS, () => {
      const out: Record<string, Float32Array> = {};
      for (const mode of MODES) {
        const x = tensor(xs, c.x);
        const dyT = tensor(dys, [c.x[0], c.x[1] * 2, c.x[2] * 2, c.x[3]]);
        out[`${mode} y`] = upSampling2d(x, c.size, mode).dataSync() as Float32Array;
        out[`${mode} dx`] = grad((t: Tensor) => sum(mul(upSampling2d(t, c.size, mode), dyT)))(
          x,
        ).dataSync() as Float32Array;
      }
      return out;
    });
  });
});
