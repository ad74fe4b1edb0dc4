// Models: the functional `model({inputs, outputs})` and `sequential({layers})`.

export { LayersModel, model, type ModelArgs } from './layers-model.js';
export { Sequential, sequential, type SequentialArgs } from './sequential.js';
export { GraphPlan } from './graph.js';
export { printSummary, fmtShapeKeras, type SummaryOptions } from './summary.js';
export { input } from '../layers/input-layer.js';

import { modelFromJSON } from './load.js';
/**
 * TF.js's `tf.models` namespace.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3] })] });
 * const copy = await fe.models.modelFromJSON(m.toJSON(undefined, false) as object);
 * copy.countParams(); // 8: the same topology, new weights
 * ```
 */
export const models = {
  /** A model (new weights) from a saved topology or a model.json's content (TF.js's `tf.models.modelFromJSON`). */
  modelFromJSON,
};
