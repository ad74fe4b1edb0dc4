// Whether the data sets that some tests train on are installed on this machine.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_MNIST_PATH } from '../../ts/data/datasets.js';

const FASHION_MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

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
