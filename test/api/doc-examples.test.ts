// Every runnable `@example` in the API docs runs (docs/examples.md has the convention): each
// is read from its TSDoc comment, compiled from TypeScript, and run in Node on the SIMD
// build inside its own scope, with `fe` the library as `import * as fe from 'ferrite-nn'`
// gives it. It must not throw and must leave no tensor behind once its scope closes (the
// variables it made, such as a model's weights, are disposed first), and what a
// `x.print(); // [4, 6]` or `x.shape; // [2, 3]` line states in its comment must be what it
// gives (to print's 4 significant digits; comments in prose are not checked). Examples fenced
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

/**
 * The values a trailing comment states, when it starts with them: `// [4, 6]`,
 * `// int32 [[1, 0], [0, 1]]`, `// 2.5: the mean`, `// [true, false]`. Null for prose
 * (`// about 5`, `// each entry 0 or 2`), which is not checked.
 */
function statedValues(comment: string): (number | null)[] | null {
  const text = comment.trim().replace(/^(float32|int32|bool)\s+/, '');
  const number = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?Infinity|NaN|true|false|null`;
  let body: string;
  if (text.startsWith('[')) {
    let depth = 0;
    let end = 0;
    for (; end < text.length; end++) {
      if (text[end] === '[') depth++;
      else if (text[end] === ']' && --depth === 0) break;
    }
    body = text.slice(0, end + 1);
  } else {
    const m = new RegExp(`^(${number})(?![\\w.])`).exec(text);
    if (!m) return null;
    body = m[1];
  }
  // Words inside the brackets (`[height, width, 3]`) make it prose.
  if (body.replace(new RegExp(number, 'g'), '').replace(/[[\],\s]/g, '') !== '') return null;
  const tokens = body.match(new RegExp(number, 'g')) ?? [];
  return tokens.map((t) => (t === 'null' ? null : t === 'true' ? 1 : t === 'false' ? 0 : Number(t)));
}

/** Whether `actual` is what a comment rounded to 4 significant digits (as `print` shows) says. */
const close = (actual: number, stated: number): boolean =>
  Object.is(actual, stated) || Math.abs(actual - stated) <= 6e-4 * Math.max(Math.abs(stated), 1e-3);

/** Checks a tensor against the values its example's comment states. */
function checkPrinted(t: fe.Tensor, comment: string): void {
  const stated = statedValues(comment);
  if (stated === null) return;
  const actual = Array.from(t.dataSync());
  const ok = actual.length === stated.length && actual.every((v, i) => stated[i] !== null && close(v, stated[i]!));
  expect(ok, `prints ${t.toString()}, the comment says ${comment}`).toBe(true);
}

/** Checks a shape against the one its example's comment states. */
function checkShape(shape: readonly (number | null)[], comment: string): void {
  const stated = statedValues(comment);
  if (stated !== null) expect([...shape], `the comment says ${comment}`).toEqual(stated);
}

/**
 * The example's source with each `x.print(); // values` and `x.shape; // [dims]` line
 * checked against its comment (the comments are what the docs promise).
 */
function withChecks(code: string): string {
  return code
    .split('\n')
    .map((line) => {
      if (/^\s*(const|let|var|return)\b/.test(line)) return line;
      const printed = /^(\s*)(.+?)\??\.print\(\);\s*\/\/\s*(.+)$/.exec(line);
      if (printed) return `${printed[1]}__checkPrinted(${printed[2]}, ${JSON.stringify(printed[3])});`;
      const shape = /^(\s*)(.+\.shape);\s*\/\/\s*(\[.*)$/.exec(line);
      if (shape) return `${shape[1]}__checkShape(${shape[2]}, ${JSON.stringify(shape[3])});`;
      return line;
    })
    .join('\n');
}

/** The example as a function of `fe`, its TypeScript compiled away. */
function compile(ex: DocExample): (lib: typeof fe) => Promise<void> {
  const js = ts.transpileModule(withChecks(ex.code), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    reportDiagnostics: false,
  }).outputText;
  const run = new AsyncFunction('fe', '__checkPrinted', '__checkShape', js) as unknown as (
    lib: typeof fe,
    printed: typeof checkPrinted,
    shape: typeof checkShape,
  ) => Promise<void>;
  return (lib) => run(lib, checkPrinted, checkShape);
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

  it('reads the values a comment states, and only those', () => {
    expect(statedValues('[4, 6]')).toEqual([4, 6]);
    expect(statedValues('int32 [[1, 0], [0, -1]]: the identity')).toEqual([1, 0, 0, -1]);
    expect(statedValues('2.5: the mean')).toEqual([2.5]);
    expect(statedValues('[true, false]')).toEqual([1, 0]);
    expect(statedValues('[null, 10]')).toEqual([null, 10]);
    expect(statedValues('about 5')).toBeNull();
    expect(statedValues('[height, width, 3]')).toBeNull();
    expect(close(0.09003, 0.09003)).toBe(true);
    expect(close(0.2447285, 0.2447)).toBe(true);
    expect(close(0.2152, 0.3251)).toBe(false);
    expect(close(1000.69, 1001)).toBe(true);
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
