// The transfer-learning example, reduced: a CNN pretrained on 6,000 images of
// Fashion-MNIST classes 0-4 gives a frozen base on which a new head, trained on 1,000
// images of classes 5-9, beats the same network trained from scratch on those images.

import { describe, expect, it } from 'vitest';
import { memory, setRandomSeed } from '../../ts/index.js';
import { main } from '../../examples/transfer-learning.js';
import { fashionMnistOrWarn } from '../support/datasets.js';

describe.runIf(fashionMnistOrWarn('test/e2e/transfer-learning.test.ts'))('examples/transfer-learning', () => {
  it('the pretrained, frozen base beats training from scratch on 1,000 images; fine-tuning keeps it ahead', async () => {
    setRandomSeed(12);
    const before = memory().numTensors;
    const lines: string[] = [];
    const r = await main({
      pretrainSize: 6000,
      epochs: 1,
      testSize: 1000,
      fineTuneEpochs: 3,
      log: (l) => lines.push(l),
    });
    expect(memory().numTensors).toBe(before);
    expect(r.pretrainAccuracy).toBeGreaterThan(0.75);
    expect(r.transferAccuracy).toBeGreaterThan(r.scratchAccuracy);
    expect(r.fineTunedAccuracy).toBeGreaterThan(r.scratchAccuracy);
    expect(lines.join('\n')).toMatch(/From scratch on the same images: 0\.\d{4}/);
  }, 300_000);
});
