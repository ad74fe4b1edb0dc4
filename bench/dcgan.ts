// DCGAN training speed (examples/dcgan.ts: generator Dense -> BN -> Conv2DTranspose x2,
// discriminator Conv x2 -> Dense, batch 64, width 32), in seconds per epoch of 60,000
// Fashion-MNIST images, for each of Ferrite's builds and both training styles (the
// Keras-classic combined model with trainOnBatch, and the custom variableGrads step).
// Each run trains two short epochs of `trainSize` images and times the second (the first
// includes the warm-up); the epoch figure scales that to 60,000 images.
//
//   npx tsx bench/dcgan.ts [--train-size N]      (default 1280 images: 20 batches)

import { setBackendSync } from '../ts/backend/engine.js';
import { main as dcgan, type GanStyle } from '../examples/dcgan.js';
import { fmt, printTable, type Row } from './table.js';
import { buildsToCompare, isMain } from './util.js';
import { numberArg } from '../examples/program.js';

const EPOCH_IMAGES = 60000;
const BATCH = 64;

export interface DcganBenchResult {
  rows: Row[];
  /** Seconds per 60,000-image epoch, by `${build label} ${style}`. */
  secondsPerEpoch: Record<string, number>;
}

export async function benchDcgan(trainSize = 1280): Promise<DcganBenchResult> {
  const rows: Row[] = [];
  const secondsPerEpoch: Record<string, number> = {};
  for (const { build, label } of await buildsToCompare()) {
    setBackendSync(build);
    for (const style of ['combined', 'custom'] as GanStyle[]) {
      const { epochs } = await dcgan({
        style,
        epochs: 2,
        trainSize,
        batchSize: BATCH,
        outDir: null,
        verbose: 0,
        log: () => {},
      });
      const batches = Math.floor(trainSize / BATCH);
      const perBatch = epochs[1].seconds / batches;
      const perEpoch = perBatch * Math.floor(EPOCH_IMAGES / BATCH);
      secondsPerEpoch[`${label} ${style}`] = perEpoch;
      rows.push({ build: label, style, 'ms/batch': fmt(perBatch * 1000), 's/epoch (60,000)': fmt(perEpoch) });
    }
  }
  return { rows, secondsPerEpoch };
}

if (isMain(import.meta.url)) {
  void benchDcgan(numberArg('train-size')).then(({ rows }) => printTable(rows));
}
