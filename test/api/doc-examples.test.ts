// Every runnable `@example` in the API docs runs (docs/examples.md has the convention): each
// is read from its TSDoc comment, compiled from TypeScript, and run in Node on the SIMD
// build inside its own scope, with `fe` the library as `import * as fe from 'ferrite-nn'`
// gives it. It must not throw and must leave no tensor behind once its scope closes (the
// variables it made, such as a model's weights, are disposed first). Examples fenced
// ```ts browser or ```ts no-run are type-checked by scripts/check-examples.mjs, not run here.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { extractExamples, type DocExample } from '../../scripts/doc-examples.mjs';
import * as fe from '../../ts/index.js';
import { endScope, startScope } from '../../ts/tensor/scope.js';
import { registeredVariables } from '../../ts/tensor/tensor.js';
import { selectBuild } from '../support/helpers.js';

const SIMD = { build: 'simd', threads: 1 } as const;
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { examples } = extractExamples(root);
const runnable = examples.filter((ex) => ex.mode === 'run');

// eslint-disable-next-line @typescript-eslint/no-empty-function
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (lib: typeof fe) => Promise<void>;

/** The example as a function of `fe`, its TypeScript compiled away. */
function compile(ex: DocExample): (lib: typeof fe) => Promise<void> {
  const js = ts.transpileModule(ex.code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    reportDiagnostics: false,
  }).outputText;
  return new AsyncFunction('fe', js);
}

/** Runs one example in its own scope; returns the tensors it left alive besides its variables. */
async function runScoped(ex: DocExample): Promise<number> {
  const before = fe.memory().numTensors;
  const variablesBefore = new Set(registeredVariables());
  const run = compile(ex);
  startScope();
  try {
    await run(fe);
  } finally {
    endScope();
    // The backend examples switch builds: count on the SIMD build again.
    await selectBuild(SIMD);
  }
  for (const v of registeredVariables()) if (!variablesBefore.has(v)) v.dispose();
  return fe.memory().numTensors - before;
}

/** The examples grouped by symbol, so that a failure names it. */
function bySymbol(list: DocExample[]): Map<string, DocExample[]> {
  const groups = new Map<string, DocExample[]>();
  for (const ex of list) {
    const key = `${ex.symbol} (${ex.file})`;
    groups.set(key, [...(groups.get(key) ?? []), ex]);
  }
  return groups;
}

describe('API doc examples (SIMD build)', () => {
  const cwd = process.cwd();
  let dir = '';
  beforeAll(async () => {
    await selectBuild(SIMD);
    // Examples that write files (charts, images, CSV logs) write them here.
    dir = mkdtempSync(join(tmpdir(), 'ferrite-doc-examples-'));
    process.chdir(dir);
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.restoreAllMocks();
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the examples', () => {
    expect(runnable.length).toBeGreaterThan(50);
  });

  for (const [symbol, group] of bySymbol(runnable)) {
    describe(symbol, () => {
      for (const ex of group) {
        it(`${ex.file}:${ex.line} runs and leaks no tensor`, async () => {
          fe.setRandomSeed(1);
          const leaked = await runScoped(ex);
          expect(leaked, 'tensors left alive').toBe(0);
        });
      }
    });
  }
});
