// The bench's writers (bench/report.ts, bench/run.ts, bench/pytorch.ts): a tiny real run
// (`--quick --only gemm`) writes JSON that parses into the expected figures and Markdown
// whose tables are well formed; the summary's ratios are computed from the right columns;
// PyTorch's driver returns figures when torch is installed. No timing is asserted.

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Report, summaryRows } from '../../bench/report.js';
import { markdownTable } from '../../bench/table.js';
import { benchTorch, torchUnavailable } from '../../bench/pytorch.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Every Markdown table in `md`: its lines, which must all have the header's cell count. */
function tables(md: string): string[][] {
  const out: string[][] = [];
  let current: string[] | null = null;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) (current ??= []).push(line);
    else if (current) {
      out.push(current);
      current = null;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Cells of a Markdown table line ('\|' is a pipe inside a cell). */
const cells = (line: string) => line.replace(/\\\|/g, '¦').split('|').slice(1, -1);

describe('bench writers', () => {
  it('summaryRows puts best Ferrite (SIMD contenders only) over each peer; markdownTable escapes pipes', () => {
    const rows = summaryRows([
      {
        figure: 'f',
        unit: 'GFLOP/s',
        values: {
          'ferrite scalar': 100, // not counted: the scalar build shows what SIMD buys
          'ferrite simd': 10,
          'ferrite simd x2': 20,
          'tfjs wasm': 5,
          'tfjs cpu': 'throws: no kernel',
          'torch x1': 40,
          'torch x2': 10,
        },
      },
    ]);
    expect(rows[0]['ferrite/tfjs wasm']).toBe('4.00x');
    expect(rows[0]['ferrite/torch']).toBe('0.50x');
    expect(rows[0]['ferrite/tfjs cpu']).toBe('-');
    expect(rows[0]['tfjs cpu']).toBe('cannot');
    expect(rows[0]['ferrite relaxed']).toBeUndefined(); // columns nobody filled are left out

    const md = markdownTable([{ a: 'x|y', b: 1 }]).split('\n');
    expect(md[0]).toBe('| a | b |');
    expect(md[1]).toBe('| --- | ---: |');
    expect(md[2]).toBe('| x\\|y | 1 |');
  });

  it('Report.write writes JSON and Markdown with the same stem, every table well formed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrite-bench-'));
    try {
      const report = new Report('node', { quick: true }, () => {});
      report.table('p', 'Part P', [{ figure: 'a', x: '1.00' }], ['a note']);
      report.add({ figure: 'a', unit: 'samples/s', values: { 'ferrite simd': 2, 'tfjs wasm': 1 }, note: 'why' });
      const { json, markdown } = report.write(join(dir, 'sub', 'r.json'));
      expect(json).toBe(join(dir, 'sub', 'r.json'));
      expect(markdown).toBe(join(dir, 'sub', 'r.md'));
      const data = JSON.parse(readFileSync(json, 'utf8'));
      expect(data.kind).toBe('node');
      expect(data.sections[0]).toEqual({
        part: 'p',
        title: 'Part P',
        rows: [{ figure: 'a', x: '1.00' }],
        notes: ['a note'],
      });
      expect(data.summary[0].values).toEqual({ 'ferrite simd': 2, 'tfjs wasm': 1 });
      const md = readFileSync(markdown, 'utf8');
      expect(md).toContain('## Summary');
      expect(md).toContain('- a: why');
      for (const t of tables(md)) for (const line of t) expect(cells(line).length).toBe(cells(t[0]).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run bench -- --quick --only gemm writes parseable JSON and Markdown of every figure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrite-bench-'));
    try {
      const out = join(dir, 'run.json');
      await promisify(execFile)(
        process.execPath,
        [
          '--experimental-wasm-relaxed-simd',
          '--import',
          'tsx',
          'bench/run.ts',
          '--quick',
          '--only',
          'gemm',
          '--no-torch',
          '--out',
          out,
        ],
        { cwd: ROOT, timeout: 280_000, maxBuffer: 16 << 20 },
      );
      const data = JSON.parse(readFileSync(out, 'utf8'));
      expect(data.environment.parts).toBe('gemm');
      expect(data.sections.map((s: { part: string }) => s.part)).toEqual(['gemm']);
      const figures = data.summary.map((e: { figure: string }) => e.figure);
      expect(figures).toEqual(['NN', 'NT', 'TN', 'TT'].map((m) => `matMul 256³ ${m}`));
      for (const e of data.summary) {
        for (const c of ['ferrite scalar', 'ferrite simd', 'tfjs wasm']) {
          expect(typeof e.values[c], `${e.figure} ${c}`).toBe('number');
          expect(e.values[c]).toBeGreaterThan(0);
        }
      }
      const md = readFileSync(out.replace(/\.json$/, '.md'), 'utf8');
      const ts = tables(md);
      expect(ts.length).toBe(2); // the summary and the GEMM table
      expect(ts[0].length).toBe(2 + 4); // header, rule, the four layouts
      for (const t of ts) for (const line of t) expect(cells(line).length).toBe(cells(t[0]).length);
      expect(md).toMatch(/\| matMul 256³ NN \| GFLOP\/s \|/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('PyTorch driver: figures for each layout at 1 thread where torch is installed (else says why)', async () => {
    const why = await torchUnavailable();
    if (why !== null) {
      expect(why).toMatch(/PyTorch skipped/);
      return;
    }
    const run = await benchTorch('gemm', { quick: true, threads: [1], log: (l) => expect.fail(l) });
    expect(run!.threads).toEqual([1]);
    expect(Object.keys(run!.results)).toEqual(['NN', 'NT', 'TN', 'TT'].map((m) => `matMul 256³ ${m}`));
    for (const r of Object.values(run!.results)) expect(r.x1).toBeGreaterThan(0);
  }, 120_000);
});
