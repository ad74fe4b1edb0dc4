// Where the fixed cost of a training step goes: `model.fit` run with timers around the
// parts of a step (the methods below, wrapped for the run and restored afterwards) and
// around every kernel call (the engine's `core` functions), so that each part's time,
// its kernel calls and its share spent inside wasm are known per step. The timers cost
// about 0.1 µs per kernel call and per part, which the figures include.
//
// The parts, nested as a step runs them:
//   fit loop         batch slicing (gathers), the batch's scope, callbacks, epoch totals
//   TrainStep.run:   forward, loss and backward under the tape (what the parts below leave)
//     finiteness     the loss and gradients checked before the optimizer runs
//     optimizer      `applyGradientsIfFinite`: every weight's update (and undo, if needed)
//     metrics        the metric objects' counts from the batch's predictions

import { engine } from '../ts/backend/engine.js';
import { TrainStep } from '../ts/training/train-step.js';
import { Optimizer } from '../ts/optimizers/optimizer.js';
import { CountingMetric } from '../ts/metrics/metric.js';
import { fmt, type Row } from './table.js';
import { median } from './timing.js';

/** Totals of one part over a run: milliseconds, kernel calls, and milliseconds inside wasm. */
interface Totals {
  ms: number;
  calls: number;
  wasmMs: number;
}

const zero = (): Totals => ({ ms: 0, calls: 0, wasmMs: 0 });

/** The clock of kernel time: every core function wrapped to add its duration to `wasmMs`. */
class KernelClock {
  wasmMs = 0;
  private readonly saved = new Map<string, unknown>();
  /** The functions wrapped: this engine's, even if the fit timed switches the backend. */
  private readonly core = engine().core as unknown as Record<string, (...args: number[]) => number>;

  constructor() {
    const core = this.core;
    for (const [name, f] of Object.entries(core)) {
      this.saved.set(name, f);
      core[name] = (...args: number[]) => {
        const t0 = performance.now();
        try {
          return f(...args);
        } finally {
          this.wasmMs += performance.now() - t0;
        }
      };
    }
  }

  /** Puts the engine's functions back. */
  restore(): void {
    for (const [name, f] of this.saved) this.core[name] = f as (...args: number[]) => number;
  }
}

/** Wraps `proto[key]` so that its calls add to `into` (the outermost call only, if it recurses); returns the undo. */
function timeMethod(proto: object, key: string, into: Totals, clock: KernelClock): () => void {
  const target = proto as Record<string, (...args: unknown[]) => unknown>;
  const original = target[key];
  let depth = 0;
  target[key] = function (this: unknown, ...args: unknown[]) {
    if (depth++ > 0) {
      try {
        return original.apply(this, args);
      } finally {
        depth--;
      }
    }
    const [t0, c0, w0] = [performance.now(), engine().kernelCalls, clock.wasmMs];
    try {
      return original.apply(this, args);
    } finally {
      depth--;
      into.ms += performance.now() - t0;
      into.calls += engine().kernelCalls - c0;
      into.wasmMs += clock.wasmMs - w0;
    }
  };
  return () => {
    target[key] = original;
  };
}

/** One instrumented run of `fit` (`steps` steps): each part's totals. */
async function instrumentedRun(fit: () => Promise<void>): Promise<Record<string, Totals>> {
  const parts = { step: zero(), run: zero(), finiteness: zero(), optimizer: zero(), metrics: zero() };
  const clock = new KernelClock();
  const undo = [
    timeMethod(TrainStep.prototype, 'run', parts.run, clock),
    timeMethod(TrainStep.prototype, 'refuseNonFinite', parts.finiteness, clock),
    timeMethod(Optimizer.prototype, 'applyGradientsIfFinite', parts.optimizer, clock),
    timeMethod(CountingMetric.prototype, 'update', parts.metrics, clock),
  ];
  try {
    const [t0, c0, w0] = [performance.now(), engine().kernelCalls, clock.wasmMs];
    await fit();
    parts.step = { ms: performance.now() - t0, calls: engine().kernelCalls - c0, wasmMs: clock.wasmMs - w0 };
  } finally {
    undo.forEach((u) => u());
    clock.restore();
  }
  return parts;
}

/**
 * The breakdown of a step: `fit` (which runs `steps` training steps) is run `runs` times
 * instrumented; each row is a part's median µs per step, kernel calls per step and µs of
 * it inside wasm.
 */
export async function stepBreakdown(fit: () => Promise<void>, steps: number, runs = 5): Promise<Row[]> {
  const samples: Record<string, Totals>[] = [];
  for (let r = 0; r < runs; r++) samples.push(await instrumentedRun(fit));
  // Exclusive parts: the fit loop is the step less TrainStep.run; the tape is run less its parts.
  const exclusive = (s: Record<string, Totals>): Record<string, Totals> => {
    const minus = (a: Totals, ...bs: Totals[]): Totals => ({
      ms: bs.reduce((x, b) => x - b.ms, a.ms),
      calls: bs.reduce((x, b) => x - b.calls, a.calls),
      wasmMs: bs.reduce((x, b) => x - b.wasmMs, a.wasmMs),
    });
    return {
      'whole step': s.step,
      'fit loop (batch gather, scope, callbacks)': minus(s.step, s.run),
      'forward, loss, backward (tape)': minus(s.run, s.finiteness, s.optimizer, s.metrics),
      'loss and gradient finiteness check': s.finiteness,
      'optimizer update (all weights)': s.optimizer,
      'metrics (accuracy counts)': s.metrics,
    };
  };
  const parts = samples.map(exclusive);
  return Object.keys(parts[0]).map((name) => {
    const per = (f: (t: Totals) => number) => median(parts.map((p) => f(p[name]))) / steps;
    const us = per((t) => t.ms) * 1e3;
    const wasmUs = per((t) => t.wasmMs) * 1e3;
    return {
      part: name,
      'µs per step': fmt(us),
      'kernel calls': fmt(per((t) => t.calls)),
      'µs in wasm': fmt(wasmUs),
      'µs in JS': fmt(us - wasmUs),
    };
  });
}
