// Where the MNIST-format data sets are and what their files are called: the four IDX
// files, the directory of Debian's dataset-fashion-mnist package, Fashion-MNIST's class
// names. One definition for the loaders (ts/data) and for the demo server
// (scripts/serve-demo.mjs), which Node runs as it is, without a build: hence plain
// JavaScript, with its types in mnist-files.d.mts.

/** The four files of an MNIST-format data set, each also found gzipped (name + '.gz'). */
export const IDX_FILES = Object.freeze({
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
});

/** Where Debian's dataset-fashion-mnist package installs Fashion-MNIST. */
export const FASHION_MNIST_PATH = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);
