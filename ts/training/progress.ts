// Keras-style progress output for fit(verbose): in a Node terminal a live bar redrawn
// with '\r' at most ten times a second,
//   1875/1875 [==============================] - 4s 2ms/step - loss: 0.4985 - acc: 0.8245
// When stdout is not a terminal (a log file, CI), only the final line of each epoch;
// verbose 2 prints one line per epoch without a bar; in browsers one console line per epoch.

import { isNode } from '../backend/wasm-files.js';
import { BaseCallback, type Logs } from './callbacks.js';

/**
 * Where progress goes: a terminal-like stream, or whole lines (console).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2]]);
 * const lines: string[] = [];
 * const sink = { isTTY: false, write: (t: string) => void lines.push(t), writeLine: (l: string) => void lines.push(l) };
 * await m.fit(x, x, { epochs: 1, verbose: 1, progressSink: sink }); // lines: ['Epoch 1/1', '2/2 [====...] - loss: ...']
 * ```
 */
export interface ProgressSink {
  /**
   * Writes text as is (may contain '\r'); used when `isTTY`.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2]]);
   * const sink = { isTTY: true, write: (t: string) => process.stdout.write(t), writeLine: (l: string) => console.log(l) };
   * await m.fit(x, x, { epochs: 1, verbose: 1, progressSink: sink }); // a live bar, redrawn with '\r' through write
   * ```
   */
  write(text: string): void;
  /**
   * Writes one full line.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const x = fe.tensor2d([[1], [2]]);
   * const sink = { isTTY: false, write: () => {}, writeLine: (l: string) => console.log('[train]', l) };
   * await m.fit(x, x, { epochs: 1, verbose: 1, progressSink: sink }); // whole lines only
   * ```
   */
  writeLine(line: string): void;
  /** True when the bar can be redrawn in place. */
  readonly isTTY: boolean;
}

export function defaultSink(): ProgressSink {
  if (isNode && typeof process !== 'undefined' && process.stdout) {
    const out = process.stdout;
    return { write: (t) => void out.write(t), writeLine: (l) => void out.write(l + '\n'), isTTY: out.isTTY === true };
  }
  return { write: (t) => console.log(t), writeLine: (l) => console.log(l), isTTY: false };
}

const BAR_WIDTH = 30;
/** Minimum time between redraws of the live bar (ms). */
const REDRAW_INTERVAL_MS = 100;

/** A value as Keras prints it: 4 decimals, or scientific notation when tiny. */
export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) > 1e-3 || v === 0) return v.toFixed(4);
  return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Time per step: '2ms/step', '850us/step', '1s/step'. */
export function fmtStepTime(secondsPerStep: number): string {
  if (secondsPerStep >= 1 || secondsPerStep === 0) return `${Math.round(secondsPerStep)}s/step`;
  if (secondsPerStep >= 1e-3) return `${Math.round(secondsPerStep * 1e3)}ms/step`;
  return `${Math.round(secondsPerStep * 1e6)}us/step`;
}

/** ETA as Keras prints it: '45s', '2:05', '1:02:03'. */
export function fmtEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600)
    return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return `${s}s`;
}

/** '[=========>....................]' for `current` of `target`. */
export function fmtBar(current: number, target: number): string {
  const filled = target > 0 ? Math.floor((BAR_WIDTH * current) / target) : BAR_WIDTH;
  let bar = '';
  if (filled > 0) bar = '='.repeat(filled - 1) + (current < target ? '>' : '=');
  return `[${bar}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

function fmtLogs(logs: [string, number][]): string {
  return logs.map(([k, v]) => ` - ${k}: ${fmtValue(v)}`).join('');
}

/** Prints progress for fit. Verbose 1: bar (terminal) or final epoch line; 2: one line per epoch. */
export class ProgressLogger extends BaseCallback {
  private readonly sink: ProgressSink;
  private epochStart = 0;
  private lastDraw = 0;
  private lastWidth = 0;
  private seen = 0;
  private batches = 0;
  private sums = new Map<string, number>();

  constructor(
    readonly verbose: number,
    sink?: ProgressSink,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    this.sink = sink ?? defaultSink();
  }

  private get live(): boolean {
    return this.verbose === 1 && this.sink.isTTY;
  }

  override wantsBatchHooks(): boolean {
    return this.live;
  }

  override onEpochBegin(epoch: number): void {
    this.epochStart = this.now();
    this.lastDraw = -Infinity;
    this.lastWidth = 0;
    this.seen = 0;
    this.batches = 0;
    this.sums.clear();
    if (this.sink.isTTY || isNode) this.sink.writeLine(`Epoch ${epoch + 1}/${this.params?.epochs ?? '?'}`);
  }

  override onBatchEnd(batch: number, logs: Logs = {}): void {
    if (!this.live) return;
    const size = logs.size ?? 1;
    this.seen += size;
    this.batches = batch + 1;
    for (const [k, v] of Object.entries(logs)) {
      if (k === 'batch' || k === 'size') continue;
      this.sums.set(k, (this.sums.get(k) ?? 0) + v * size);
    }
    const t = this.now();
    const steps = this.params?.steps ?? this.batches;
    if (t - this.lastDraw < REDRAW_INTERVAL_MS || this.batches >= steps) return;
    this.lastDraw = t;
    const elapsed = (t - this.epochStart) / 1000;
    const eta = (elapsed / this.batches) * (steps - this.batches);
    const means: [string, number][] = [...this.sums].map(([k, s]) => [k, s / this.seen]);
    this.draw(
      `${this.counter(this.batches, steps)} ${fmtBar(this.batches, steps)} - ETA: ${fmtEta(eta)}${fmtLogs(means)}`,
    );
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const steps = this.params?.steps ?? this.batches;
    const elapsed = (this.now() - this.epochStart) / 1000;
    const perStep = fmtStepTime(elapsed / Math.max(1, steps));
    const entries = Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size');
    const time = `${Math.round(elapsed)}s`;
    if (!isNode && !this.sink.isTTY) {
      this.sink.writeLine(`Epoch ${epoch + 1}/${this.params?.epochs ?? '?'} - ${time} ${perStep}${fmtLogs(entries)}`);
      return;
    }
    if (this.verbose === 2) {
      this.sink.writeLine(`${steps}/${steps} - ${time} - ${perStep}${fmtLogs(entries)}`);
      return;
    }
    const line = `${this.counter(steps, steps)} ${fmtBar(steps, steps)} - ${time} ${perStep}${fmtLogs(entries)}`;
    if (this.live) {
      this.draw(line);
      this.sink.write('\n');
    } else {
      this.sink.writeLine(line);
    }
  }

  private counter(current: number, target: number): string {
    const digits = String(target).length;
    return `${String(current).padStart(digits)}/${target}`;
  }

  /** Redraws the current line, blanking what a longer previous line left behind. */
  private draw(line: string): void {
    const pad = this.lastWidth > line.length ? ' '.repeat(this.lastWidth - line.length) : '';
    this.sink.write(`\r${line}${pad}`);
    this.lastWidth = line.length;
  }
}
