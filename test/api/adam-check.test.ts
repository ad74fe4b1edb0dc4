// Adam's checking pass (core-rs/src/optimizer.rs, `applyGradientsIfFinite`) on the weight
// itself: a step whose moments stay finite but whose weight would overflow is refused with
// nothing changed, a huge finite one and ordinary ones are accepted with applyGradients'
// bits. (The moments' overflow is covered in optimizers.test.ts.)

import { expect, it } from 'vitest';
import { describeEachBuild, randomArray, rng } from '../support/helpers.js';
import { tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import { variable } from '../../ts/tensor/tensor.js';
import { train } from '../../ts/optimizers/index.js';

let nextName = 0;
const uniqueName = (base: string) => `adamcheck_${base}_${nextName++}`;

describeEachBuild('Adam checking pass', () => {
  it('refuses a step that overflows the weight itself (finite moments), and accepts a huge finite one bit for bit', () => {
    // lr 1e38, g = ±1 on the first step: the moments stay small, the step is about 1e38.
    const n = 37;
    for (const [k, g, refused] of [
      [0, -1, true], // 3e38 + 1e38 overflows
      [21, -1, true],
      [36, -1, true],
      [21, 1, false], // 3e38 - 1e38 is finite: the bound fails, the exact test accepts
    ] as const) {
      const [a, b] = [train.adam(1e38), train.adam(1e38)];
      const init = randomArray(n, rng(k), -1, 1);
      init[k] = 3e38;
      const [va, vb] = [variable(tensor(init), true, uniqueName('a')), variable(tensor(init), true, uniqueName('b'))];
      const grad = randomArray(n, rng(k + 1), -1, 1);
      grad[k] = g;
      tidy(() => {
        const blocked = b.applyGradientsIfFinite({ [vb.name]: tensor(grad) });
        if (refused) {
          expect(blocked, `element ${k}`).toBe(vb.name);
          expect(Array.from(vb.dataSync())).toEqual(Array.from(init));
          expect(b.iterations).toBe(0);
        } else {
          expect(blocked).toBeNull();
          a.applyGradients({ [va.name]: tensor(grad) });
          expect(Array.from(vb.dataSync())).toEqual(Array.from(va.dataSync()));
          expect(vb.dataSync()[k]).toBeLessThan(3e38);
        }
      });
      [a, b].forEach((o) => o.dispose());
      [va, vb].forEach((v) => v.dispose());
    }
  });

  it('ordinary steps pass the bound and match applyGradients bit for bit over many steps (epsilon 1e-7 and 0)', () => {
    for (const epsilon of [1e-7, 0]) {
      const [a, b] = [train.adam(0.01, 0.9, 0.999, epsilon), train.adam(0.01, 0.9, 0.999, epsilon)];
      const n = 1001;
      const rand = rng(5);
      const init = randomArray(n, rand, -1, 1);
      const [va, vb] = [variable(tensor(init), true, uniqueName('a')), variable(tensor(init), true, uniqueName('b'))];
      for (let step = 0; step < 20; step++) {
        tidy(() => {
          const g = randomArray(n, rand, -3, 3);
          a.applyGradients({ [va.name]: tensor(g) });
          expect(b.applyGradientsIfFinite({ [vb.name]: tensor(g) })).toBeNull();
        });
      }
      expect(Array.from(vb.dataSync())).toEqual(Array.from(va.dataSync()));
      expect(Array.from(vb.dataSync()).every(Number.isFinite)).toBe(true);
      [a, b].forEach((o) => o.dispose());
      [va, vb].forEach((v) => v.dispose());
    }
  });
});
