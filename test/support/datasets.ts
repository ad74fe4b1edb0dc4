// Whether the data sets that some tests train on are installed on this machine.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_MNIST_PATH, IDX_FILES } from '../../ts/data/mnist-files.mjs';

const FASHION_MNIST_FILES = Object.values(IDX_FILES);

/** The four Fashion-MNIST files are in FASHION_MNIST_PATH (gzipped or not). */
export const haveFashionMnist = FASHION_MNIST_FILES.every(
  (f) => existsSync(join(FASHION_MNIST_PATH, `${f}.gz`)) || existsSync(join(FASHION_MNIST_PATH, f)),
);

/** Why a test that needs Fashion-MNIST is skipped, and how to install it. */
export const fashionMnistMissing = `the Fashion-MNIST files are not in ${FASHION_MNIST_PATH}; install them with 'apt-get install dataset-fashion-mnist'`;

/** Whether Fashion-MNIST is installed; warns, naming `testFile`, that the tests needing it are skipped if not. */
export function fashionMnistOrWarn(testFile: string): boolean {
  if (!haveFashionMnist) console.warn(`${testFile}: SKIPPED: ${fashionMnistMissing}.`);
  return haveFashionMnist;
}
