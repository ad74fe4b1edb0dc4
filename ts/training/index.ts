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

/** Callbacks by factory, like `tf.callbacks`. */
export const callbacks = {
  earlyStopping,
  terminateOnNaN,
  modelCheckpoint,
  reduceLROnPlateau,
  learningRateScheduler,
  csvLogger,
};
export {
  ReduceLROnPlateau,
  LearningRateScheduler,
  type ReduceLROnPlateauArgs,
  type Schedule as LearningRateSchedulerFn,
} from './lr-callbacks.js';
export { CSVLogger, type CSVLoggerArgs } from './csv-logger.js';
