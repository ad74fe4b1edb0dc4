// The training loop and its callbacks: fit, evaluate, predict internals, History,
// EarlyStopping, the progress bar. `callbacks` is the namespace users see
// (`callbacks.earlyStopping(...)`, like `tf.callbacks`).

import { earlyStopping } from './early-stopping.js';
import { terminateOnNaN } from './terminate-on-nan.js';
import { modelCheckpoint } from './model-checkpoint.js';
import { learningRateScheduler, reduceLROnPlateau } from './lr-callbacks.js';
import { csvLogger } from './csv-logger.js';

export { BaseCallback, CustomCallback, CallbackList, History, standardizeCallbacks } from './callbacks.js';
export type { Logs, CallbackModel, CallbackParams, CustomCallbackArgs, CallbackIdentifier } from './callbacks.js';
export { EarlyStopping, earlyStopping, type EarlyStoppingArgs } from './early-stopping.js';
export { TerminateOnNaN, terminateOnNaN } from './terminate-on-nan.js';
export { NonFiniteStepError } from './finite.js';
export {
  ModelCheckpoint,
  modelCheckpoint,
  formatCheckpointPath,
  type ModelCheckpointArgs,
} from './model-checkpoint.js';
export { ProgressLogger, defaultSink, fmtBar, fmtEta, fmtStepTime, fmtValue, type ProgressSink } from './progress.js';
export {
  CompiledState,
  compileModel,
  type ModelCompileArgs,
  type LossIdentifier,
  type MetricIdentifier,
  type LossOrMetricFn,
} from './compile.js';
export { fitModel, type ModelFitArgs, type ClassWeight } from './fit.js';
export {
  evaluateModel,
  predictModel,
  trainOnBatchModel,
  type ModelEvaluateArgs,
  type ModelPredictArgs,
} from './evaluate.js';
export { TrainStep } from './train-step.js';
export {
  fitDatasetModel,
  evaluateDatasetModel,
  type ModelFitDatasetArgs,
  type ModelEvaluateDatasetArgs,
} from './fit-dataset.js';

/**
 * Callbacks by factory, like `tf.callbacks`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
 * const x = fe.tensor2d([[1], [2], [3], [4]]);
 * const stop = fe.callbacks.earlyStopping({ monitor: 'loss', minDelta: 0.01, patience: 3 });
 * const h = await m.fit(x, x, { epochs: 100, verbose: 0, callbacks: [stop] });
 * h.epoch.length < 100; // true: it ended when the loss stopped falling by 0.01 an epoch
 * ```
 */
export const callbacks = {
  /** {@inheritDoc EarlyStopping} */
  earlyStopping,
  /** {@inheritDoc TerminateOnNaN} */
  terminateOnNaN,
  /**
   * Saves the model during training, every epoch or every saveFreq batches, optionally only when the monitored value improves (Keras's ModelCheckpoint).
   */
  modelCheckpoint,
  /**
   * Lowers the learning rate by `factor` when the monitored value stops improving for `patience` epochs (Keras's ReduceLROnPlateau).
   */
  reduceLROnPlateau,
  /** Sets the learning rate at the start of each epoch from `schedule(epoch, lr)` (Keras's LearningRateScheduler). */
  learningRateScheduler,
  /** Writes each epoch's logs as a row of a CSV file (Node; Keras's CSVLogger). */
  csvLogger,
};
export {
  ReduceLROnPlateau,
  LearningRateScheduler,
  type ReduceLROnPlateauArgs,
  type Schedule as LearningRateSchedulerFn,
} from './lr-callbacks.js';
export { CSVLogger, type CSVLoggerArgs } from './csv-logger.js';
