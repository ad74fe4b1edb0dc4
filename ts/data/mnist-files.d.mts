// Types of mnist-files.mjs.

/** The four files of an MNIST-format data set, each also found gzipped (name + '.gz'). */
export declare const IDX_FILES: Readonly<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', string>>;

/** Where Debian's dataset-fashion-mnist package installs Fashion-MNIST. */
export declare const FASHION_MNIST_PATH: string;

/** Fashion-MNIST's class names, by label. */
export declare const FASHION_MNIST_CLASSES: readonly string[];
