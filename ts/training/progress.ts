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

/** '  7/313': the step counter padded to the target's width. */
function fmtCounter(current: number, target: number): string {
  return `${String(current).padStart(String(target).length)}/${target}`;
}

/** One line redrawn in place with '\r' (a live bar), blanking what a longer previous line left behind. */
class LiveLine {
  private width = 0;
  constructor(private readonly sink: ProgressSink) {}
  reset(): void {
    this.width = 0;
  }
  draw(line: string): void {
    const pad = this.width > line.length ? ' '.repeat(this.width - line.length) : '';
    this.sink.write(`\r${line}${pad}`);
    this.width = line.length;
  }
}

function fmtLogs(logs: [string, number][]): string {
  return logs.map(([k, v]) => ` - ${k}: ${fmtValue(v)}`).join('');
}

/** Prints progress for fit. Verbose 1: bar (terminal) or final epoch line; 2: one line per epoch. */
export class ProgressLogger extends BaseCallback {
  private readonly sink: ProgressSink;
  private epochStart = 0;
  private lastDraw = 0;
  private readonly line: LiveLine;
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
    this.line = new LiveLine(this.sink);
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
    this.line.reset();
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
    this.line.draw(
      `${fmtCounter(this.batches, steps)} ${fmtBar(this.batches, steps)} - ETA: ${fmtEta(eta)}${fmtLogs(means)}`,
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
    const line = `${fmtCounter(steps, steps)} ${fmtBar(steps, steps)} - ${time} ${perStep}${fmtLogs(entries)}`;
    if (this.live) {
      this.line.draw(line);
      this.sink.write('\n');
    } else {
      this.sink.writeLine(line);
    }
  }
}

/**
 * Prints progress for predict, as Keras's `predict(verbose=1)`: in a terminal a live bar
 * with an ETA redrawn at most ten times a second, and at the end (or, off a terminal, only)
 * `313/313 [==============================] - 0s 1ms/step`; verbose 2 prints
 * `313/313 - 0s - 1ms/step`. Used by `model.predict` when its `verbose` is set.
 */
export class StepProgress {
  private readonly start: number;
  private lastDraw = -Infinity;
  private readonly line: LiveLine;

  constructor(
    private readonly verbose: number,
    private readonly steps: number,
    private readonly sink: ProgressSink = defaultSink(),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
    this.line = new LiveLine(sink);
  }

  /** After step `done` (1-based) of `steps`. */
  step(done: number): void {
    if (this.verbose !== 1 || !this.sink.isTTY || done >= this.steps) return;
    const t = this.now();
    if (t - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = t;
    const eta = ((t - this.start) / 1000 / done) * (this.steps - done);
    this.line.draw(`${fmtCounter(done, this.steps)} ${fmtBar(done, this.steps)} - ETA: ${fmtEta(eta)}`);
  }

  /** After the last step: the final line. */
  end(): void {
    const elapsed = (this.now() - this.start) / 1000;
    const perStep = fmtStepTime(elapsed / Math.max(1, this.steps));
    const counter = fmtCounter(this.steps, this.steps);
    if (this.verbose !== 1 || (!isNode && !this.sink.isTTY)) {
      this.sink.writeLine(`${counter} - ${Math.round(elapsed)}s - ${perStep}`);
      return;
    }
    const line = `${counter} ${fmtBar(this.steps, this.steps)} - ${Math.round(elapsed)}s ${perStep}`;
    if (this.sink.isTTY) {
      this.line.draw(line);
      this.sink.write('\n');
    } else {
      this.sink.writeLine(line);
    }
  }
}
