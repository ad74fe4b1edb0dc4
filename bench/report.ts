// What `npm run bench` and `npm run bench:browser` leave behind: every table they print,
// and a summary of each figure with every contender's rate side by side and the ratios,
// written as JSON (for scripts) and Markdown (for people) under bench/results/ (git-ignored).

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, fmtRatio, markdownTable, printTable, type Row } from './table.js';

/** One printed table and what it needs to be read. */
export interface Section {
  /** The bench part that made it ('gemm', 'mnist-cnn', ...). */
  part: string;
  title: string;
  rows: Row[];
  notes: string[];
}

/**
 * One figure measured by several contenders: rates (higher is better: GFLOP/s or samples/s)
 * by contender name, or a string saying why a contender has none ('cannot train').
 */
export interface SummaryEntry {
  figure: string;
  unit: string;
  values: Record<string, number | string>;
  /** What the figure's row needs said (a reduced size, a peer's thread count). */
  note?: string;
}

/** The contenders of the summary, in column order; the summary shows those that have a value. */
export const SUMMARY_COLUMNS = [
  'ferrite scalar',
  'ferrite simd',
  'ferrite relaxed',
  'ferrite simd x1',
  'ferrite simd x2',
  'ferrite relaxed x2',
  'ferrite page',
  'ferrite page relaxed',
  'ferrite worker',
  'ferrite worker plain',
  'tfjs cpu',
  'tfjs wasm',
  'torch x1',
  'torch x2',
  'node ferrite relaxed x2',
  'node ferrite simd x2',
];

/** Ferrite's best rate among its SIMD contenders (the scalar build is there to show what SIMD buys). */
export function bestFerrite(values: SummaryEntry['values']): number | undefined {
  const rates = Object.entries(values)
    .filter(([k, v]) => k.startsWith('ferrite') && !k.includes('scalar') && typeof v === 'number')
    .map(([, v]) => v as number);
  return rates.length > 0 ? Math.max(...rates) : undefined;
}

const rate = (v: number | string | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

/** The summary as table rows: each contender's rate, then best Ferrite over TF.js wasm, TF.js cpu and PyTorch's best. */
export function summaryRows(entries: readonly SummaryEntry[]): Row[] {
  const cols = SUMMARY_COLUMNS.filter((c) => entries.some((e) => e.values[c] !== undefined));
  return entries.map((e) => {
    const row: Row = { figure: e.figure, unit: e.unit };
    for (const c of cols) {
      const v = e.values[c];
      // Why a contender has no figure, in a word (the sections carry the full message).
      row[c] = typeof v === 'number' ? fmt(v) : v === undefined ? '-' : v.split(':')[0].replace(/^throws$/, 'cannot');
    }
    const ferrite = bestFerrite(e.values);
    const torch = [rate(e.values['torch x1']), rate(e.values['torch x2'])].filter((v) => v !== undefined);
    row['ferrite/tfjs wasm'] = fmtRatio(ferrite, rate(e.values['tfjs wasm']));
    row['ferrite/tfjs cpu'] = fmtRatio(ferrite, rate(e.values['tfjs cpu']));
    row['ferrite/torch'] = fmtRatio(ferrite, torch.length > 0 ? Math.max(...torch) : undefined);
    return row;
  });
}

/** A bench run's tables and summary, printed as they come and written at the end. */
export class Report {
  readonly sections: Section[] = [];
  readonly summary: SummaryEntry[] = [];
  readonly notes: string[] = [];
  readonly environment: Record<string, string | number | boolean>;
  private readonly started = new Date();

  constructor(
    /** 'node' (npm run bench) or 'chromium' (npm run bench:browser). */
    readonly kind: string,
    environment: Record<string, string | number | boolean> = {},
    private readonly print: (line: string) => void = console.log,
  ) {
    this.environment = {
      host: hostname(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      node: process.version,
      'load average at start': loadavg()[0].toFixed(2),
      ...environment,
    };
  }

  /** Prints a table (with its notes under it) and keeps it for the files. */
  table(part: string, title: string, rows: Row[], notes: string[] = []): void {
    this.sections.push({ part, title, rows, notes });
    this.print(`== ${title} ==\n`);
    printTable(rows, this.print);
    for (const n of notes) this.print(`\n${n}`);
    this.print('');
  }

  /** A line said once for the whole run (a skipped peer, the machine's load). */
  note(line: string): void {
    this.notes.push(line);
    this.print(line);
  }

  /** Adds a figure to the summary. */
  add(entry: SummaryEntry): void {
    this.summary.push(entry);
  }

  /** The whole run as plain data: environment, notes, every table, and the summary with raw rates. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      started: this.started.toISOString(),
      seconds: Math.round((Date.now() - this.started.getTime()) / 1000),
      environment: { ...this.environment, 'load average at end': loadavg()[0].toFixed(2) },
      notes: this.notes,
      summary: this.summary,
      sections: this.sections,
    };
  }

  /** The same as Markdown: the summary first, then every table under its title. */
  toMarkdown(): string {
    const json = this.toJSON();
    const env = json.environment as Record<string, unknown>;
    const out = [
      `# Ferrite bench (${this.kind}), ${this.started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      Object.entries(env)
        .map(([k, v]) => `- ${k}: ${String(v)}`)
        .join('\n'),
      `- run time: ${String(json.seconds)} s`,
      '',
      'Rates are higher-is-better (GFLOP/s, samples/s), medians of rounds timed in this one run. ' +
        'Ratios put Ferrite’s best SIMD contender over each peer; compare ratios, not absolute figures, ' +
        'when the machine is shared.',
      '',
    ];
    if (this.notes.length > 0) out.push(...this.notes.map((n) => `> ${n}`), '');
    if (this.summary.length > 0) {
      out.push('## Summary', '', markdownTable(summaryRows(this.summary)), '');
      const notes = this.summary.filter((e) => e.note).map((e) => `- ${e.figure}: ${e.note}`);
      if (notes.length > 0) out.push(...notes, '');
    }
    for (const s of this.sections) {
      out.push(`## ${s.title}`, '', markdownTable(s.rows), '');
      if (s.notes.length > 0) out.push(...s.notes.map((n) => `- ${n}`), '');
    }
    return out.join('\n');
  }

  /** Prints the summary table. */
  printSummary(): void {
    if (this.summary.length === 0) return;
    this.print('== Summary: Ferrite against TensorFlow.js and PyTorch (rates: higher is better) ==\n');
    printTable(summaryRows(this.summary), this.print);
    for (const e of this.summary) if (e.note) this.print(`  ${e.figure}: ${e.note}`);
    this.print('');
  }

  /** Writes `<stem>.json` and `<stem>.md` for `jsonPath` (…/stem.json); returns both paths. */
  write(jsonPath: string): { json: string; markdown: string } {
    const markdown = jsonPath.replace(/(\.json)?$/, '.md');
    const json = markdown.replace(/\.md$/, '.json');
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, `${JSON.stringify(this.toJSON(), null, 2)}\n`);
    writeFileSync(markdown, `${this.toMarkdown()}\n`);
    return { json, markdown };
  }
}

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

/** Where a run writes: `--out PATH` if given, else bench/results/<date>-<host>[-suffix].json. */
export function reportPath(argv: readonly string[], suffix = ''): string {
  const i = argv.indexOf('--out');
  if (i >= 0 && argv[i + 1]) return argv[i + 1];
  const date = new Date().toISOString().slice(0, 10);
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
  return join(RESULTS, `${date}-${host}${suffix ? `-${suffix}` : ''}.json`);
}
