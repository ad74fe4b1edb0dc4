import { describe, expect, it } from 'vitest';
import { checkGradients, describeEachBuild, expectClose, randomArray, rng } from '../support/helpers.js';
import { engine } from '../../ts/backend/engine.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import { tidy } from '../../ts/tensor/scope.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { grad } from '../../ts/autograd/tape.js';
import { randomNormal, randomUniform, setRandomSeed, truncatedNormal } from '../../ts/ops/random.js';
import { dropout } from '../../ts/ops/dropout.js';

// ---- reference Philox-4x32-10 (BigInt for the 32x32 -> 64 products) -------------------

function mulhilo(a: number, b: number): [number, number] {
  const p = BigInt(a) * BigInt(b);
  return [Number(p >> 32n), Number(p & 0xffffffffn)];
}

function philox(ctr: number[], key: number[]): number[] {
  let c = ctr.map((v) => v >>> 0);
  let k = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    if (round > 0) k = [(k[0] + 0x9e3779b9) >>> 0, (k[1] + 0xbb67ae85) >>> 0];
    const [hi0, lo0] = mulhilo(0xd2511f53, c[0]);
    const [hi1, lo1] = mulhilo(0xcd9e8d57, c[2]);
    c = [(hi1 ^ c[1] ^ k[0]) >>> 0, lo1, (hi0 ^ c[3] ^ k[1]) >>> 0, lo0];
  }
  return c;
}

/** Word i of a draw: block i / 4, lane i % 4 (the layout of core-rs/src/random.rs). */
function refWords(n: number, key: [number, number], stream: number, tag: number): number[] {
  const out: number[] = [];
  for (let b = 0; b * 4 < n; b++) out.push(...philox([b, 0, stream, tag], key));
  return out.slice(0, n);
}
const unit = (w: number) => (w >>> 8) / 2 ** 24;
function refNormals(words: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < words.length; i += 2) {
    const v = Math.fround(Math.fround(words[i] * 2 ** -32) + 2 ** -33);
    const r = Math.sqrt(-2 * Math.log(v));
    const th = 2 * Math.PI * unit(words[i + 1] ?? 0);
    out.push(r * Math.cos(th), r * Math.sin(th));
  }
  return out;
}

function stats(a: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  const mean = s / a.length;
  let v = 0;
  for (let i = 0; i < a.length; i++) v += (a[i] - mean) ** 2;
  return { mean, variance: v / (a.length - 1) };
}

const values = (t: Tensor) => Array.from(t.dataSync());

describe('Philox-4x32-10 reference', () => {
  it('matches the Random123 known-answer vectors', () => {
    expect(philox([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(philox([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([
      0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
    ]);
    expect(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([
      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
    ]);
  });
});

describeEachBuild('random', () => {
  function kernelWords(n: number, key: [number, number], stream: number, tag: number): number[] {
    const eng = engine();
    const p = eng.alloc(4 * n);
    eng.core.fe_random_bits(p, n, key[0], key[1], stream, tag);
    const out = Array.from(new Uint32Array(eng.memory.buffer, p, n));
    eng.free(p, 4 * n);
    return out;
  }

  it('the kernel produces the known-answer words and the reference layout', () => {
    expect(kernelWords(4, [0, 0], 0, 0)).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    for (const n of [1, 5, 37]) {
      expect(kernelWords(n, [123, 0xfedcba98], 7, 1)).toEqual(refWords(n, [123, 0xfedcba98], 7, 1));
    }
  });

  it('randomUniform with a seed equals the reference bit for bit, in [minval, maxval)', () => {
    tidy(() => {
      // Seed 42 is key (42, 0), stream 0, tag 0.
      const words = refWords(1001, [42, 0], 0, 0);
      const lo = Math.fround(-3);
      const range = Math.fround(Math.fround(5) - lo);
      const expected = words.map((w) => Math.fround(lo + Math.fround(range * unit(w))));
      const got = values(randomUniform([7, 11, 13], -3, 5, 'float32', 42));
      expect(got).toEqual(expected);
      expect(got.every((v) => v >= -3 && v < 5)).toBe(true);
      // Default [0, 1).
      const u = values(randomUniform([1000], undefined, undefined, undefined, 42));
      expect(u).toEqual(words.slice(0, 1000).map(unit));
    });
  });

  it('randomNormal with a seed matches Box-Muller over the reference words', () => {
    tidy(() => {
      const words = refWords(1000, [9, 0], 0, 0);
      const expected = refNormals(words).map((z) => 2 + 3 * z);
      expectClose(values(randomNormal([1000], 2, 3, 'float32', 9)), expected, 1e-5, 1e-5);
    });
  });

  it('the vectorised Box-Muller agrees with the naive libm kernel', () => {
    tidy(() => {
      const n = 4099;
      const z = randomNormal([n], 0.5, 2, 'float32', 21);
      const ref = tensor(new Float32Array(n));
      z.engine.core.fe_random_normal_naive(ref.ptr, n, 21, 0, 0, 0, 0.5, 2);
      expectClose(z.dataSync(), ref.dataSync(), 1e-6, 2e-6);
    });
  });

  it('uniform, normal and truncated normal have the right moments', () => {
    tidy(() => {
      const n = 200_000;
      // Bounds are about 5 standard errors wide: a correct generator fails once in millions.
      const u = stats(randomUniform([n], -3, 5, 'float32', 1).dataSync()); // mean 1, var 64/12
      expect(Math.abs(u.mean - 1)).toBeLessThan(0.03);
      expect(Math.abs(u.variance - 64 / 12)).toBeLessThan(0.05);

      const zs = randomNormal([n], 0, 1, 'float32', 2).dataSync();
      const z = stats(zs);
      expect(Math.abs(z.mean)).toBeLessThan(0.012);
      expect(Math.abs(z.variance - 1)).toBeLessThan(0.016);
      const within1 = zs.filter((v) => Math.abs(v) < 1).length / n; // Φ(1) - Φ(-1) = 0.682689
      expect(Math.abs(within1 - 0.682689)).toBeLessThan(0.006);

      const tn = truncatedNormal([n], 0.5, 2, 'float32', 3).dataSync();
      expect(tn.every((v) => v > 0.5 - 4 && v < 0.5 + 4)).toBe(true);
      const t = stats(tn);
      // A standard normal truncated to (-2, 2) has variance 1 - 2·2·φ(2)/(Φ(2) - Φ(-2)) = 0.773741.
      expect(Math.abs(t.mean - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(t.variance - 4 * 0.773741)).toBeLessThan(0.05);
    });
  });

  it('truncatedNormal redraws exactly the values beyond 2 sigma of the plain normal draw', () => {
    tidy(() => {
      const n = 20_000;
      const plain = randomNormal([n], 0, 1, 'float32', 11).dataSync();
      const trunc = truncatedNormal([n], 0, 1, 'float32', 11).dataSync();
      let redrawn = 0;
      for (let i = 0; i < n; i++) {
        if (Math.abs(plain[i]) < 2) expect(trunc[i]).toBe(plain[i]);
        else {
          redrawn++;
          expect(Math.abs(trunc[i])).toBeLessThan(2);
        }
      }
      // P(|z| >= 2) = 0.0455: about 910 of 20,000.
      expect(redrawn).toBeGreaterThan(700);
      expect(redrawn).toBeLessThan(1120);
    });
  });

  it('int32 uniform gives integers in [minval, maxval), evenly', () => {
    tidy(() => {
      const v = randomUniform([70_000], -3, 4, 'int32', 5);
      expect(v.dtype).toBe('int32');
      const counts = new Map<number, number>();
      for (const x of v.dataSync()) counts.set(x, (counts.get(x) ?? 0) + 1);
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
      for (const c of counts.values()) expect(Math.abs(c - 10_000)).toBeLessThan(500);
      expect(values(randomUniform([5], 2, 3, 'int32', 1))).toEqual([2, 2, 2, 2, 2]);
    });
  });

  it('same seed, same values; different seeds differ; values depend only on the element index', () => {
    tidy(() => {
      for (const f of [
        (s: number | string, shape: number[]) => randomUniform(shape, 0, 1, 'float32', s),
        (s: number | string, shape: number[]) => randomNormal(shape, 0, 1, 'float32', s),
        (s: number | string, shape: number[]) => truncatedNormal(shape, 0, 1, 'float32', s),
      ]) {
        const a = values(f(7, [100]));
        expect(values(f(7, [100]))).toEqual(a);
        expect(values(f(8, [100]))).not.toEqual(a);
        // A smaller draw is a prefix of a larger one, shape aside.
        expect(values(f(7, [3, 7]))).toEqual(a.slice(0, 21));
        // String seeds (TF.js allows them) are keys too.
        expect(values(f('abc', [100]))).toEqual(values(f('abc', [100])));
        expect(values(f('abc', [100]))).not.toEqual(values(f('abd', [100])));
        // Seeds beyond 32 bits and negative seeds are distinct keys.
        expect(values(f(7 + 2 ** 32, [100]))).not.toEqual(a);
        expect(values(f(-7, [100]))).not.toEqual(a);
      }
    });
  });

  it('the global stream: successive draws differ, setRandomSeed replays them', () => {
    tidy(() => {
      setRandomSeed(1234);
      const a = values(randomUniform([50]));
      const b = values(randomNormal([50]));
      const c = values(dropout(tensor(new Float32Array(50).fill(1)), 0.5));
      expect(values(randomUniform([50]))).not.toEqual(a);
      setRandomSeed(1234);
      expect(values(randomUniform([50]))).toEqual(a);
      expect(values(randomNormal([50]))).toEqual(b);
      expect(values(dropout(tensor(new Float32Array(50).fill(1)), 0.5))).toEqual(c);
      setRandomSeed(1235);
      expect(values(randomUniform([50]))).not.toEqual(a);
      // An explicit seed does not consume the global stream.
      setRandomSeed(1234);
      randomUniform([50], 0, 1, 'float32', 99);
      expect(values(randomUniform([50]))).toEqual(a);
    });
  });

  it('handles empty shapes and scalars', () => {
    tidy(() => {
      expect(randomUniform([0, 3]).shape).toEqual([0, 3]);
      expect(randomNormal([]).size).toBe(1);
      expect(Number.isFinite(truncatedNormal([]).dataSync()[0])).toBe(true);
    });
  });

  it('rejects bad arguments with clear errors', () => {
    expect(() => randomUniform([2], 0, 1, 'float32', 1.5)).toThrow(/randomUniform: seed must be an integer/);
    expect(() => randomUniform([2], 1, 0)).toThrow(/randomUniform: maxval \(0\) must be >= minval \(1\)/);
    expect(() => randomUniform([2], 0, 0.5, 'int32')).toThrow(/int32 draws need integer bounds with minval < maxval/);
    expect(() => randomUniform([2], 3, 3, 'int32')).toThrow(/int32 draws need integer bounds/);
    expect(() => randomNormal([2], 0, -1)).toThrow(/randomNormal: stdDev must be >= 0/);
    expect(() => randomNormal([2], 0, 1, 'int32')).toThrow(/randomNormal: dtype must be float32/);
    expect(() => truncatedNormal([2, -1])).toThrow(/non-negative integers/);
    expect(() => setRandomSeed(NaN)).toThrow(/setRandomSeed: seed must be an integer/);
  });
});

describeEachBuild('dropout', () => {
  it('keeps about 1 - rate of the elements, scaled by 1 / (1 - rate)', () => {
    tidy(() => {
      const n = 100_000;
      const xs = randomArray(n, rng(1), 0.5, 1.5);
      const y = dropout(tensor(xs), 0.3, undefined, 17).dataSync();
      const scale = Math.fround(1 / Math.fround(1 - Math.fround(0.3)));
      let kept = 0;
      for (let i = 0; i < n; i++) {
        if (y[i] !== 0) {
          kept++;
          expect(y[i]).toBe(Math.fround(xs[i] * scale));
        }
      }
      // Binomial(100000, 0.7): standard deviation 145.
      expect(Math.abs(kept - 70_000)).toBeLessThan(750);
    });
  });

  it('the mask is element i kept iff its uniform draw >= rate', () => {
    tidy(() => {
      const words = refWords(64, [5, 0], 0, 0);
      const y = values(dropout(tensor(new Float32Array(64).fill(1)), 0.5, undefined, 5));
      expect(y.map((v) => v !== 0)).toEqual(words.map((w) => unit(w) >= Math.fround(0.5)));
    });
  });

  it('the gradient is dy times the same mask', () => {
    tidy(() => {
      const x = tensor(randomArray(1003, rng(2), 0.5, 1.5));
      const dy = randomArray(1003, rng(3));
      const yv = dropout(x, 0.4, undefined, 77).dataSync();
      const dx = grad((t) => dropout(t, 0.4, undefined, 77))(x, tensor(dy)).dataSync();
      const xv = x.dataSync();
      for (let i = 0; i < 1003; i++) {
        const factor = yv[i] / xv[i];
        expect(dx[i]).toBeCloseTo(dy[i] * factor, 5);
      }
      // With a fixed seed the op is a fixed linear map, so finite differences apply.
      checkGradients((t) => dropout(t, 0.25, undefined, 3), [tensor(randomArray(37, rng(4)), [37])]);
    });
  });

  it('a noise shape shares one draw along its size-1 dimensions, forward and backward', () => {
    tidy(() => {
      const x = tensor(new Float32Array(2 * 5 * 7).fill(1), [2, 5, 7]);
      const y = dropout(x, 0.5, [2, 1, 7], 8).arraySync() as number[][][];
      for (let b = 0; b < 2; b++) {
        for (let c = 0; c < 7; c++) {
          const col = y[b].map((row) => row[c]);
          expect(new Set(col).size, `batch ${b} channel ${c}`).toBe(1);
          expect([0, 2]).toContain(col[0]);
        }
      }
      // null takes x's size.
      const z = dropout(x, 0.5, [null, 1, null], 8).arraySync();
      expect(z).toEqual(y);
      checkGradients((t) => dropout(t, 0.5, [3, 1], 6), [tensor(randomArray(12, rng(5)), [3, 4])]);
    });
  });

  it('rate 0 is the identity (a copy), and different calls draw different masks', () => {
    tidy(() => {
      const x = tensor([1, 2, 3]);
      const y = dropout(x, 0);
      expect(y).not.toBe(x);
      expect(values(y)).toEqual([1, 2, 3]);
      expectClose(grad((t) => dropout(t, 0))(x, tensor([4, 5, 6])).dataSync(), [4, 5, 6]);
      const ones = tensor(new Float32Array(200).fill(1));
      expect(values(dropout(ones, 0.5))).not.toEqual(values(dropout(ones, 0.5)));
      expect(values(dropout(ones, 0.5, undefined, 3))).toEqual(values(dropout(ones, 0.5, undefined, 3)));
    });
  });

  it('frees its mask: no tensors leak from a forward or a gradient', () => {
    const x = tensor(randomArray(100, rng(6)));
    const before = memory().numTensors;
    tidy(() => {
      dropout(x, 0.5);
      grad((t) => dropout(t, 0.5))(x, tensor(new Float32Array(100).fill(1)));
      grad((t) => dropout(t, 0.5, [1]))(x, tensor(new Float32Array(100).fill(1)));
    });
    expect(memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects bad rates, noise shapes and inputs', () => {
    const x = tensor([1, 2, 3, 4], [2, 2]);
    expect(() => dropout(x, 1)).toThrow(/dropout: rate must be a number in \[0, 1\), got 1/);
    expect(() => dropout(x, -0.1)).toThrow(/rate must be/);
    expect(() => dropout(x, 0.5, [2, 3])).toThrow(/noiseShape \[2, 3\] does not broadcast to x \[2, 2\]/);
    expect(() => dropout(x, 0.5, [2])).toThrow(/must have the rank of x/);
    expect(() => dropout(tensor([1], [1], 'int32'), 0.5)).toThrow(/dropout: input must be float32/);
    x.dispose();
  });
});
