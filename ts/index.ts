// ferrite-nn: the public API, shaped like TensorFlow.js (`import * as fe from 'ferrite-nn'`
// then `fe.sequential`, `fe.layers.dense`, `fe.train.adam`, `fe.tensor2d`, ...).

// Backends: which wasm build runs, its threads and memory.
export {
  ready,
  setBackend,
  getBackend,
  setThreadsCount,
  getThreadsCount,
  setMaxMemory,
  disposeEngines as shutdown,
  simdSupported,
} from './backend/engine.js';
export { setWasmPaths, type BuildName } from './backend/wasm-files.js';
export { threadsSupported } from './backend/threads.js';

// Tensors and memory.
export {
  Tensor,
  Variable,
  variable,
  registeredVariables,
  type DataType,
  type Shape,
  type TypedArray,
  type NestedArray,
} from './tensor/tensor.js';
export {
  tensor,
  tensor1d,
  tensor2d,
  tensor3d,
  tensor4d,
  scalar,
  zeros,
  ones,
  fill,
  zerosLike,
  onesLike,
  clone,
  oneHot,
  memory,
  type TensorLike,
} from './tensor/creation.js';
export { tidy, keep, dispose, type TensorContainer } from './tensor/scope.js';

// Autograd, for custom training loops.
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads } from './autograd/tape.js';

// Ops (matMul, add, relu, softmax, conv2d, ...).
export * from './ops/index.js';

// The Layers API.
export * as layers from './layers/index.js';
export * as initializers from './initializers/index.js';
export * as regularizers from './regularizers/index.js';
export { Layer, SymbolicTensor } from './layers/index.js';
export {
  sequential,
  model,
  input,
  LayersModel,
  Sequential,
  type ModelArgs,
  type SequentialArgs,
} from './models/index.js';
export {
  callbacks,
  CustomCallback,
  History,
  EarlyStopping,
  type Logs,
  type ModelFitArgs,
  type ModelCompileArgs,
} from './training/index.js';
export { train, Optimizer, getOptimizer } from './optimizers/index.js';
export * as losses from './losses/index.js';
export * as metrics from './metrics/index.js';

// Data.
export { datasets, toCategorical, rescale, shuffle, trainTestSplit, parseIdx, readIdx } from './data/index.js';

// Charts: training curves as SVG (`plot.plotHistory(history, {path})`).
export * as plot from './plot/index.js';

// Background training in a worker (`worker.create(model)`).
export * as worker from './worker/index.js';
