// Background training: `worker.create(model)` moves a model into a worker (comlink over
// worker_threads in Node, a module Worker in browsers) and returns a Trainer to fit,
// watch, stop, query and take the model back.

export {
  create,
  type Trainer,
  type CreateOptions,
  type BackgroundFitArgs,
  type BackgroundCallback,
  type ModelConfig,
  type HistoryData,
} from './trainer.js';
export type { DataInput, TensorData } from './wire.js';
export type { WorkerCompileArgs, OptimizerSpec } from './compile-spec.js';
export type { ResidentData } from './resident.js';
export type { ResourceLimits } from './connection.js';
export type { ModelInputs } from './trainer.js';
export type { StepContext, StepModule } from './custom-step.js';
export type { BackgroundFitDatasetArgs, BackgroundEvaluateDatasetArgs } from './trainer.js';
