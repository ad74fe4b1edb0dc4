// model.predict's verbose progress, as Keras prints it (TF.js accepts verbose and prints
// nothing): verbose 1 a bar ending '79/79 [====...] - 0s 1ms/step' (live, with an ETA, in a
// terminal), verbose 2 the line without the bar, 0 / false / absent nothing. The
// predictions do not depend on it.

import { describe, expect, it, vi } from 'vitest';
import { layers, sequential, tensor, type Tensor } from '../../ts/index.js';
import { StepProgress, type ProgressSink } from '../../ts/training/progress.js';
import { randomTensor, rng } from '../support/helpers.js';

function recordingSink(isTTY: boolean): ProgressSink & { lines: string[]; raw: string } {
  const sink = {
    lines: [] as string[],
    raw: '',
    isTTY,
    write(t: string) {
      sink.raw += t;
    },
    writeLine(l: string) {
      sink.lines.push(l);
    },
  };
  return sink;
}

const STEP_TIME = /\d+(us|ms|s)\/step/.source;

describe('model.predict verbose', () => {
  const model = () => sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });

  it('verbose 1 / true off a terminal: one Keras line with the bar; 2: without it; predictions unchanged', () => {
    const m = model();
    const x = randomTensor([100, 4], rng(1));
    const quiet = m.predict(x, { batchSize: 32 }) as Tensor;
    for (const verbose of [1, true] as const) {
      const sink = recordingSink(false);
      const y = m.predict(x, { batchSize: 32, verbose, progressSink: sink }) as Tensor;
      expect(Array.from(y.dataSync())).toEqual(Array.from(quiet.dataSync()));
      expect(sink.raw).toBe('');
      expect(sink.lines).toHaveLength(1);
      // 100 samples in batches of 32: 4 steps.
      expect(sink.lines[0]).toMatch(new RegExp(`^4/4 \\[={30}\\] - \\d+s ${STEP_TIME}$`));
      y.dispose();
    }
    const sink2 = recordingSink(false);
    (m.predict(x, { batchSize: 50, verbose: 2, progressSink: sink2 }) as Tensor).dispose();
    expect(sink2.lines).toEqual([expect.stringMatching(new RegExp(`^2/2 - \\d+s - ${STEP_TIME}$`))]);
    // One batch (n <= batchSize) is one step.
    const sink3 = recordingSink(false);
    (m.predict(tensor([1, 2, 3, 4], [1, 4]), { verbose: 2, progressSink: sink3 }) as Tensor).dispose();
    expect(sink3.lines).toEqual([expect.stringMatching(new RegExp(`^1/1 - \\d+s - ${STEP_TIME}$`))]);
    quiet.dispose();
    x.dispose();
    m.dispose();
  });

  it('verbose 0, false or absent prints nothing (TF.js behaviour, the default)', () => {
    const m = model();
    const x = randomTensor([40, 4], rng(2));
    const spy = vi.spyOn(process.stdout, 'write');
    for (const args of [{}, { verbose: 0 }, { verbose: false }])
      (m.predict(x, { batchSize: 8, ...args }) as Tensor).dispose();
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    x.dispose();
    m.dispose();
  });

  it('in a terminal: a live bar with an ETA redrawn with \\r at most every 100 ms, then the final line', () => {
    // A clock the test moves: 60 ms per step.
    let now = 0;
    const sink = recordingSink(true);
    const p = new StepProgress(1, 10, sink, () => now);
    for (let step = 1; step <= 10; step++) {
      now += 60;
      p.step(step);
    }
    p.end();
    const frames = sink.raw.split('\r').slice(1);
    // Redrawn at steps 1, 3, 5, 7, 9 (100 ms apart at least; the last step draws the final line).
    expect(frames.slice(0, -1).map((f) => f.trimEnd())).toEqual([
      ' 1/10 [==>...........................] - ETA: 1s',
      ' 3/10 [========>.....................] - ETA: 0s',
      ' 5/10 [==============>...............] - ETA: 0s',
      ' 7/10 [====================>.........] - ETA: 0s',
      ' 9/10 [==========================>...] - ETA: 0s',
    ]);
    expect(frames[frames.length - 1]).toMatch(/^10\/10 \[={30}\] - 1s 60ms\/step\s*\n$/);
    expect(sink.lines).toEqual([]);
  });
});
