// `data`: TF.js's tf.data (`data.array(items).shuffle(100).batch(32)`, `data.generator`,
// `data.zip`, `data.csv`), the pipelines `model.fitDataset` trains on.

export { Dataset, array, zip, datasetFromIteratorFn, type DatasetContainer } from './dataset.js';
export { DatasetIterator, type IteratorStep } from './dataset-iterator.js';
export { generator, func, csv, CSVDataset, type CSVConfig, type ColumnConfig } from './dataset-sources.js';
