// The built package (dist/): its ESM and CommonJS entries load in plain Node, find
// their .wasm files beside them, train a step, and the process exits by itself.

import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureDist } from './browser/build.js';

const ROOT = new URL('../..', import.meta.url).pathname;

const body = (fe: string) => `
  const x = ${fe}.tensor2d([[1, 2], [3, 4]]);
  const product = ${fe}.matMul(x, x).arraySync();
  const model = ${fe}.sequential({ layers: [${fe}.layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })] });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const y = ${fe}.tensor1d([0, 1], 'int32');
  Promise.resolve(${fe}.ready()).then(() => model.fit(x, y, { epochs: 2, verbose: 0 })).then((h) => {
    console.log(JSON.stringify({ product, backend: ${fe}.getBackend(), epochs: h.epoch.length }));
  });
`;

function run(args: string[]): { status: number | null; stdout: string; stderr: string; error?: Error } {
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('the built package', () => {
  beforeAll(() => ensureDist(), 180_000);

  it('ships ESM, CommonJS, types and the five wasm builds', () => {
    for (const f of [
      'index.mjs',
      'index.cjs',
      'index.d.ts',
      'worker.mjs',
      'ferrite-simd.wasm',
      'ferrite-scalar.wasm',
      'ferrite-simd-threads.wasm',
      'ferrite-simd-relaxed.wasm',
      'ferrite-simd-threads-relaxed.wasm',
    ]) {
      expect(existsSync(`${ROOT}dist/${f}`), f).toBe(true);
    }
  });

  for (const [kind, args] of [
    [
      'ESM',
      ['--input-type=module', '-e', `import * as fe from ${JSON.stringify(`${ROOT}dist/index.mjs`)};\n${body('fe')}`],
    ],
    ['CommonJS', ['-e', `const fe = require(${JSON.stringify(`${ROOT}dist/index.cjs`)});\n${body('fe')}`]],
  ] as const) {
    it(`loads as ${kind}, trains, and exits by itself`, () => {
      const r = run([...args]);
      expect(r.error, `did not exit within 60 s`).toBeUndefined();
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(out).toEqual({
        product: [
          [7, 10],
          [15, 22],
        ],
        backend: 'simd-threads',
        epochs: 2,
      });
    });
  }

  it('picks the relaxed threaded build where Node runs relaxed SIMD, and trains on it', () => {
    const script = `import * as fe from ${JSON.stringify(`${ROOT}dist/index.mjs`)};\n${body('fe')}`;
    const r = run(['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.backend).toBe('simd-threads-relaxed');
    expect(out.epochs).toBe(2);
    // Small integers: exact whether the multiply-adds are fused or not.
    expect(out.product).toEqual([
      [7, 10],
      [15, 22],
    ]);
  });
});
