// Layers, like `tf.layers`: factory functions (`dense({units: 10})`), `input`, and the
// `Layer` base class for custom layers. The layer classes themselves stay internal.

import { Dense, type DenseArgs } from './dense.js';
import { Flatten } from './flatten.js';
import { Reshape, type ReshapeArgs } from './reshape.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { Activation, type ActivationLayerArgs } from './activation-layer.js';
import type { LayerArgs } from './layer.js';
import { Conv2D, type Conv2DArgs } from './conv.js';
import {
  AveragePooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  MaxPooling2D,
  type GlobalPooling2DArgs,
  type Pooling2DArgs,
} from './pooling.js';
import { BatchNormalization, type BatchNormalizationArgs } from './normalization.js';
import { ZeroPadding2D, type ZeroPadding2DArgs } from './padding.js';
import { Conv1D, type Conv1DArgs } from './conv1d.js';
import {
  AveragePooling1D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  MaxPooling1D,
  type GlobalPooling1DArgs,
  type Pooling1DArgs,
} from './pooling1d.js';
import { Permute, RepeatVector, type PermuteArgs, type RepeatVectorArgs } from './sequence-shape.js';
import { TimeDistributed, type TimeDistributedArgs } from './time-distributed.js';
import { Masking, type MaskingArgs } from './masking.js';
import { Embedding, type EmbeddingArgs } from './embedding.js';
import { LSTM, type LSTMArgs } from './recurrent/lstm.js';
import { GRU, type GRUArgs } from './recurrent/gru.js';
import { SimpleRNN, type SimpleRNNArgs } from './recurrent/simple-rnn.js';
import { Bidirectional, type BidirectionalArgs } from './recurrent/bidirectional.js';
import { RNN, type RNNArgs } from './recurrent/rnn.js';
import {
  GRUCell,
  LSTMCell,
  SimpleRNNCell,
  StackedRNNCells,
  type LSTMCellArgs,
  type GRUCellArgs,
  type RNNCellArgs,
  type StackedRNNCellsArgs,
} from './recurrent/cells.js';

export { type LayerArgs, type CallKwargs, type LayerConfig } from './layer.js';
export { Layer } from './custom-layer.js';
export { input, type InputArgs } from './input-layer.js';
export type { SymbolicShape } from './symbolic.js';
export type { ActivationIdentifier } from './activations.js';
export type { KernelBiasArgs } from './weight-spec.js';
export type {
  ActivationLayerArgs,
  BatchNormalizationArgs,
  Conv2DArgs,
  DenseArgs,
  DropoutArgs,
  GlobalPooling2DArgs,
  Pooling2DArgs,
  ReshapeArgs,
  ZeroPadding2DArgs,
  Conv1DArgs,
  Pooling1DArgs,
  GlobalPooling1DArgs,
  RepeatVectorArgs,
  PermuteArgs,
  TimeDistributedArgs,
  MaskingArgs,
  EmbeddingArgs,
  LSTMArgs,
  GRUArgs,
  SimpleRNNArgs,
};
export type { BidirectionalArgs, BidirectionalMergeMode } from './recurrent/bidirectional.js';
export type { RNNArgs } from './recurrent/rnn.js';
export type { RNNCellArgs, GatedRNNCellArgs, StackedRNNCellsArgs } from './recurrent/cells.js';
export type { LSTMCellArgs, GRUCellArgs } from './recurrent/cells.js';

/**
 * Densely connected layer: activation(x W + b).
 *
 * @example
 * ```ts
 * const model = fe.sequential({
 *   layers: [fe.layers.dense({ units: 32, activation: 'relu', inputShape: [784] }), fe.layers.dense({ units: 10, activation: 'softmax' })],
 * });
 * ```
 */
export const dense = (args: DenseArgs): Dense => new Dense(args);
/**
 * Flattens each sample to one dimension.
 *
 * @example
 * ```ts
 * fe.layers.flatten(); // [batch, 28, 28, 1] -> [batch, 784]
 * ```
 */
export const flatten = (args: LayerArgs = {}): Flatten => new Flatten(args);
/**
 * Reshapes each sample to `targetShape`.
 *
 * @example
 * ```ts
 * const y = fe.layers.reshape({ targetShape: [4, 4] }).apply(fe.zeros([2, 16])) as fe.Tensor;
 * y.shape; // [2, 4, 4]
 * ```
 */
export const reshape = (args: ReshapeArgs): Reshape => new Reshape(args);
/**
 * Randomly zeroes a fraction `rate` of the inputs while training.
 *
 * @example
 * ```ts
 * fe.layers.dropout({ rate: 0.2 }); // identity outside training
 * ```
 */
export const dropout = (args: DropoutArgs): Dropout => new Dropout(args);
/**
 * Applies an activation function.
 *
 * @example
 * ```ts
 * fe.layers.activation({ activation: 'relu' }).apply(fe.tensor2d([[-1, 2]])); // [[0, 2]]
 * ```
 */
export const activation = (args: ActivationLayerArgs): Activation => new Activation(args);
/**
 * 2-D convolution over NHWC images: activation(conv2d(x, kernel) + bias).
 *
 * @example
 * ```ts
 * fe.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }); // -> [batch, 26, 26, 32]
 * ```
 */
export const conv2d = (args: Conv2DArgs): Conv2D => new Conv2D(args);
/**
 * The maximum of each poolSize window (default 2x2, strides = poolSize).
 *
 * @example
 * ```ts
 * fe.layers.maxPooling2d({ poolSize: 2 }); // [batch, 26, 26, 32] -> [batch, 13, 13, 32]
 * ```
 */
export const maxPooling2d = (args: Pooling2DArgs = {}): MaxPooling2D => new MaxPooling2D(args);
/**
 * The mean of each poolSize window (default 2x2, strides = poolSize).
 *
 * @example
 * ```ts
 * const y = fe.layers.averagePooling2d({ poolSize: 2 }).apply(fe.ones([1, 4, 4, 3])) as fe.Tensor;
 * y.shape; // [1, 2, 2, 3]
 * ```
 */
export const averagePooling2d = (args: Pooling2DArgs = {}): AveragePooling2D => new AveragePooling2D(args);
/**
 * The mean of each channel over height and width: [batch, channels].
 *
 * @example
 * ```ts
 * const y = fe.layers.globalAveragePooling2d().apply(fe.ones([8, 7, 7, 64])) as fe.Tensor;
 * y.shape; // [8, 64]
 * ```
 */
export const globalAveragePooling2d = (args: GlobalPooling2DArgs = {}): GlobalAveragePooling2D =>
  new GlobalAveragePooling2D(args);
/**
 * The maximum of each channel over height and width: [batch, channels].
 *
 * @example
 * ```ts
 * const y = fe.layers.globalMaxPooling2d().apply(fe.ones([8, 7, 7, 64])) as fe.Tensor;
 * y.shape; // [8, 64]
 * ```
 */
export const globalMaxPooling2d = (args: GlobalPooling2DArgs = {}): GlobalMaxPooling2D => new GlobalMaxPooling2D(args);
/**
 * Batch normalization over the last axis, with moving statistics for inference.
 *
 * @example
 * ```ts
 * fe.layers.batchNormalization(); // normalizes the channels (last axis)
 * ```
 */
export const batchNormalization = (args: BatchNormalizationArgs = {}): BatchNormalization =>
  new BatchNormalization(args);
/**
 * Rows and columns of zeros around NHWC images.
 *
 * @example
 * ```ts
 * const y = fe.layers.zeroPadding2d({ padding: 1 }).apply(fe.ones([1, 28, 28, 1])) as fe.Tensor;
 * y.shape; // [1, 30, 30, 1]
 * ```
 */
export const zeroPadding2d = (args: ZeroPadding2DArgs = {}): ZeroPadding2D => new ZeroPadding2D(args);

// Sequences ([batch, steps, channels]).
/**
 * 1-D convolution over sequences: activation(conv1d(x, kernel) + bias); padding 'valid', 'same' or 'causal'.
 *
 * @example
 * ```ts
 * const y = fe.layers.conv1d({ filters: 16, kernelSize: 3, padding: 'causal' }).apply(fe.ones([2, 10, 8])) as fe.Tensor;
 * y.shape; // [2, 10, 16]
 * ```
 */
export const conv1d = (args: Conv1DArgs): Conv1D => new Conv1D(args);
/**
 * The maximum of each poolSize window of steps (default 2, strides = poolSize).
 *
 * @example
 * ```ts
 * const y = fe.layers.maxPooling1d({ poolSize: 2 }).apply(fe.ones([2, 10, 8])) as fe.Tensor;
 * y.shape; // [2, 5, 8]
 * ```
 */
export const maxPooling1d = (args: Pooling1DArgs = {}): MaxPooling1D => new MaxPooling1D(args);
/**
 * The mean of each poolSize window of steps (default 2, strides = poolSize).
 *
 * @example
 * ```ts
 * const y = fe.layers.averagePooling1d({ poolSize: 2 }).apply(fe.ones([2, 10, 8])) as fe.Tensor;
 * y.shape; // [2, 5, 8]
 * ```
 */
export const averagePooling1d = (args: Pooling1DArgs = {}): AveragePooling1D => new AveragePooling1D(args);
/**
 * The mean of each channel over the steps: [batch, channels].
 *
 * @example
 * ```ts
 * const y = fe.layers.globalAveragePooling1d().apply(fe.ones([2, 10, 8])) as fe.Tensor;
 * y.shape; // [2, 8]
 * ```
 */
export const globalAveragePooling1d = (args: GlobalPooling1DArgs = {}): GlobalAveragePooling1D =>
  new GlobalAveragePooling1D(args);
/**
 * The maximum of each channel over the steps: [batch, channels].
 *
 * @example
 * ```ts
 * const y = fe.layers.globalMaxPooling1d().apply(fe.ones([2, 10, 8])) as fe.Tensor;
 * y.shape; // [2, 8]
 * ```
 */
export const globalMaxPooling1d = (args: GlobalPooling1DArgs = {}): GlobalMaxPooling1D => new GlobalMaxPooling1D(args);
/**
 * [batch, features] -> [batch, n, features].
 *
 * @example
 * ```ts
 * const y = fe.layers.repeatVector({ n: 3 }).apply(fe.ones([2, 5])) as fe.Tensor;
 * y.shape; // [2, 3, 5]
 * ```
 */
export const repeatVector = (args: RepeatVectorArgs): RepeatVector => new RepeatVector(args);
/**
 * Reorders the axes after the batch (dims from 1): permute({dims: [2, 1]}).
 *
 * @example
 * ```ts
 * const y = fe.layers.permute({ dims: [2, 1] }).apply(fe.ones([2, 10, 8])) as fe.Tensor;
 * y.shape; // [2, 8, 10]
 * ```
 */
export const permute = (args: PermuteArgs): Permute => new Permute(args);
/**
 * Applies `layer` to every step of [batch, steps, ...].
 *
 * @example
 * ```ts
 * const perStep = fe.layers.timeDistributed({ layer: fe.layers.dense({ units: 4 }) });
 * (perStep.apply(fe.ones([2, 10, 8])) as fe.Tensor).shape; // [2, 10, 4]
 * ```
 */
export const timeDistributed = (args: TimeDistributedArgs): TimeDistributed => new TimeDistributed(args);
/**
 * Zeroes, and masks for recurrent layers, the steps whose features all equal maskValue.
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [null, 3] });
 * const h = fe.layers.masking({ maskValue: 0 }).apply(x); // all-zero steps are skipped below
 * const y = fe.layers.lstm({ units: 8 }).apply(h) as fe.SymbolicTensor;
 * ```
 */
export const masking = (args: MaskingArgs = {}): Masking => new Masking(args);
// Merge layers: `add()` makes the layer, `add([a, b])` applies a new one to the inputs.
export {
  add,
  subtract,
  multiply,
  average,
  maximum,
  minimum,
  concatenate,
  dot,
  type ConcatenateArgs,
  type DotArgs,
} from './merge.js';
// ---- sequences ----
/**
 * Integer ids -> rows of a trained [inputDim, outputDim] table.
 *
 * @example
 * ```ts
 * fe.layers.embedding({ inputDim: 10000, outputDim: 64 }); // int ids [batch, steps] -> [batch, steps, 64]
 * ```
 */
export const embedding = (args: EmbeddingArgs): Embedding => new Embedding(args);
/**
 * Long short-term memory over [batch, time, features] (TF.js defaults: recurrentActivation 'hardSigmoid').
 *
 * @example
 * ```ts
 * fe.layers.lstm({ units: 64, returnSequences: true }); // [batch, steps, features] -> [batch, steps, 64]
 * ```
 */
export const lstm = (args: LSTMArgs): LSTM => new LSTM(args);
/**
 * Gated recurrent unit, gates z, r, h (TF.js's form; `resetAfter: true` is Keras's).
 *
 * @example
 * ```ts
 * fe.layers.gru({ units: 64 }); // [batch, steps, features] -> [batch, 64]
 * ```
 */
export const gru = (args: GRUArgs): GRU => new GRU(args);
/**
 * Fully connected recurrent layer: h = activation(x W + b + h_prev R).
 *
 * @example
 * ```ts
 * fe.layers.simpleRNN({ units: 32 }); // [batch, steps, features] -> [batch, 32]
 * ```
 */
export const simpleRNN = (args: SimpleRNNArgs): SimpleRNN => new SimpleRNN(args);
/**
 * Runs a recurrent layer forwards and backwards and merges the outputs (mergeMode 'concat' by default).
 *
 * @example
 * ```ts
 * fe.layers.bidirectional({ layer: fe.layers.lstm({ units: 32 }) }); // [batch, steps, features] -> [batch, 64]
 * ```
 */
export const bidirectional = (args: BidirectionalArgs): Bidirectional => new Bidirectional(args);
/**
 * A recurrent layer over a cell or stacked cells, one JS step per time step (slower than lstm/gru/simpleRNN).
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.lstmCell({ units: 8 }), returnSequences: true });
 * (layer.apply(fe.ones([2, 5, 3])) as fe.Tensor).shape; // [2, 5, 8]
 * ```
 */
export const rnn = (args: RNNArgs): RNN => new RNN(args);
/**
 * One SimpleRNN step, for `rnn`.
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.simpleRNNCell({ units: 8 }) });
 * (layer.apply(fe.ones([2, 5, 3])) as fe.Tensor).shape; // [2, 8]
 * ```
 */
export const simpleRNNCell = (args: RNNCellArgs): SimpleRNNCell => new SimpleRNNCell(args);
/**
 * One LSTM step (gates i, f, c, o; states [h, c]), for `rnn`.
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.lstmCell({ units: 8, recurrentDropout: 0.1 }) });
 * (layer.apply(fe.ones([2, 5, 3])) as fe.Tensor).shape; // [2, 8]
 * ```
 */
export const lstmCell = (args: LSTMCellArgs): LSTMCell => new LSTMCell(args);
/**
 * One GRU step (TF.js's form, gates z, r, h), for `rnn`.
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.gruCell({ units: 8 }) });
 * (layer.apply(fe.ones([2, 5, 3])) as fe.Tensor).shape; // [2, 8]
 * ```
 */
export const gruCell = (args: GRUCellArgs): GRUCell => new GRUCell(args);
/**
 * Cells run one after the other in each step, for `rnn`.
 *
 * @example
 * ```ts
 * const cells = fe.layers.stackedRNNCells({ cells: [fe.layers.lstmCell({ units: 16 }), fe.layers.lstmCell({ units: 8 })] });
 * (fe.layers.rnn({ cell: cells }).apply(fe.ones([2, 5, 3])) as fe.Tensor).shape; // [2, 8]
 * ```
 */
export const stackedRNNCells = (args: StackedRNNCellsArgs): StackedRNNCells => new StackedRNNCells(args);
// ---- generative models (DCGAN): transposed convolution, upsampling, activations with options, noise ----
import { Conv2DTranspose, type Conv2DTransposeArgs } from './conv-transpose.js';
import { Cropping2D, UpSampling2D, type Cropping2DArgs, type UpSampling2DArgs } from './upsampling.js';
import {
  ELU,
  LeakyReLU,
  PReLU,
  ReLU,
  Softmax,
  ThresholdedReLU,
  type ELULayerArgs,
  type LeakyReLULayerArgs,
  type PReLULayerArgs,
  type ReLULayerArgs,
  type SoftmaxLayerArgs,
  type ThresholdedReLULayerArgs,
} from './advanced-activations.js';
import {
  GaussianDropout,
  GaussianNoise,
  SpatialDropout1D,
  SpatialDropout2D,
  type GaussianDropoutArgs,
  type GaussianNoiseArgs,
} from './noise.js';
export type {
  Conv2DTransposeArgs,
  Cropping2DArgs,
  UpSampling2DArgs,
  ELULayerArgs,
  LeakyReLULayerArgs,
  PReLULayerArgs,
  ReLULayerArgs,
  SoftmaxLayerArgs,
  ThresholdedReLULayerArgs,
  GaussianDropoutArgs,
  GaussianNoiseArgs,
};
/**
 * Transposed 2-D convolution (kernel [kh, kw, filters, inChannels]): out = in * stride (+ max(k - stride, 0) for 'valid').
 *
 * @example
 * ```ts
 * const up = fe.layers.conv2dTranspose({ filters: 16, kernelSize: 4, strides: 2, padding: 'same' });
 * (up.apply(fe.ones([1, 7, 7, 32])) as fe.Tensor).shape; // [1, 14, 14, 16]
 * ```
 */
export const conv2dTranspose = (args: Conv2DTransposeArgs): Conv2DTranspose => new Conv2DTranspose(args);
/**
 * Enlarges NHWC images by integer factors (default [2, 2]), 'nearest' or 'bilinear'.
 *
 * @example
 * ```ts
 * const y = fe.layers.upSampling2d({ size: [2, 2] }).apply(fe.ones([1, 7, 7, 3])) as fe.Tensor;
 * y.shape; // [1, 14, 14, 3]
 * ```
 */
export const upSampling2d = (args: UpSampling2DArgs = {}): UpSampling2D => new UpSampling2D(args);
/**
 * Removes rows and columns at the edges of NHWC images.
 *
 * @example
 * ```ts
 * const y = fe.layers.cropping2D({ cropping: [2, 2] }).apply(fe.ones([1, 32, 32, 3])) as fe.Tensor;
 * y.shape; // [1, 28, 28, 3]
 * ```
 */
export const cropping2D = (args: Cropping2DArgs): Cropping2D => new Cropping2D(args);
/**
 * max(x, 0), capped at maxValue when given.
 *
 * @example
 * ```ts
 * fe.layers.reLU({ maxValue: 6 }).apply(fe.tensor1d([-1, 3, 9])); // [0, 3, 6]
 * ```
 */
export const reLU = (args: ReLULayerArgs = {}): ReLU => new ReLU(args);
/**
 * x above zero, alpha * x below (alpha default 0.3).
 *
 * @example
 * ```ts
 * fe.layers.leakyReLU({ alpha: 0.2 }).apply(fe.tensor1d([-1, 2])); // [-0.2, 2]
 * ```
 */
export const leakyReLU = (args: LeakyReLULayerArgs = {}): LeakyReLU => new LeakyReLU(args);
/**
 * Leaky ReLU with a trained slope per feature (shared along sharedAxes).
 *
 * @example
 * ```ts
 * const y = fe.layers.prelu({ sharedAxes: [1, 2] }).apply(fe.ones([1, 4, 4, 8])) as fe.Tensor; // one slope per channel
 * y.shape; // [1, 4, 4, 8]
 * ```
 */
export const prelu = (args: PReLULayerArgs = {}): PReLU => new PReLU(args);
/**
 * x above zero, alpha * (exp(x) - 1) below (alpha default 1).
 *
 * @example
 * ```ts
 * fe.layers.elu({ alpha: 1 }).apply(fe.tensor1d([-1, 2])); // [-0.632, 2]
 * ```
 */
export const elu = (args: ELULayerArgs = {}): ELU => new ELU(args);
/**
 * x where x > theta (default 1), else 0.
 *
 * @example
 * ```ts
 * fe.layers.thresholdedReLU({ theta: 1 }).apply(fe.tensor1d([0.5, 1, 2])); // [0, 0, 2]
 * ```
 */
export const thresholdedReLU = (args: ThresholdedReLULayerArgs = {}): ThresholdedReLU => new ThresholdedReLU(args);
/**
 * Softmax along `axis` (default -1).
 *
 * @example
 * ```ts
 * fe.layers.softmax().apply(fe.tensor2d([[1, 1]])); // [[0.5, 0.5]]
 * ```
 */
export const softmax = (args: SoftmaxLayerArgs = {}): Softmax => new Softmax(args);
/**
 * Adds N(0, stddev²) noise while training.
 *
 * @example
 * ```ts
 * fe.layers.gaussianNoise({ stddev: 0.1 }); // adds noise in fit only; predict passes inputs through
 * ```
 */
export const gaussianNoise = (args: GaussianNoiseArgs): GaussianNoise => new GaussianNoise(args);
/**
 * Multiplies by N(1, rate / (1 - rate)) noise while training.
 *
 * @example
 * ```ts
 * fe.layers.gaussianDropout({ rate: 0.2 }); // multiplicative noise in fit only
 * ```
 */
export const gaussianDropout = (args: GaussianDropoutArgs): GaussianDropout => new GaussianDropout(args);
/**
 * Dropout of whole channels of [batch, steps, channels] while training.
 *
 * @example
 * ```ts
 * fe.layers.spatialDropout1d({ rate: 0.2 }); // drops whole channels of [batch, steps, channels] in fit
 * ```
 */
export const spatialDropout1d = (args: DropoutArgs): SpatialDropout1D => new SpatialDropout1D(args);
/**
 * Dropout of whole channels of NHWC images while training.
 *
 * @example
 * ```ts
 * fe.layers.spatialDropout2d({ rate: 0.2 }); // drops whole feature maps of NHWC images in fit
 * ```
 */
export const spatialDropout2d = (args: DropoutArgs): SpatialDropout2D => new SpatialDropout2D(args);
import { DepthwiseConv2D, SeparableConv2D, type DepthwiseConv2DArgs, type SeparableConv2DArgs } from './depthwise.js';
export type { DepthwiseConv2DArgs, SeparableConv2DArgs };
/**
 * Each input channel convolved with its own depthMultiplier filters (kernel [kh, kw, inChannels, depthMultiplier]).
 *
 * @example
 * ```ts
 * const dw = fe.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' });
 * (dw.apply(fe.ones([1, 8, 8, 3])) as fe.Tensor).shape; // [1, 8, 8, 6]
 * ```
 */
export const depthwiseConv2d = (args: DepthwiseConv2DArgs): DepthwiseConv2D => new DepthwiseConv2D(args);
/**
 * depthwiseConv2d then a 1x1 convolution to `filters` channels.
 *
 * @example
 * ```ts
 * const sep = fe.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same' });
 * (sep.apply(fe.ones([1, 8, 8, 3])) as fe.Tensor).shape; // [1, 8, 8, 16]
 * ```
 */
export const separableConv2d = (args: SeparableConv2DArgs): SeparableConv2D => new SeparableConv2D(args);

// ---- Transformers ----
import { LayerNormalization, type LayerNormalizationArgs } from './layer-normalization.js';
import { MultiHeadAttention, type MultiHeadAttentionArgs } from './multi-head-attention.js';
import { PositionEmbedding, type PositionEmbeddingArgs } from './position-embedding.js';
export type { LayerNormalizationArgs, MultiHeadAttentionArgs, PositionEmbeddingArgs };
export type { MultiHeadAttentionKwargs } from './multi-head-attention.js';
/**
 * Normalizes each sample over its last axis (or trailing `axis` list), then gamma · x + beta (TF.js's).
 *
 * @example
 * ```ts
 * fe.layers.layerNormalization({ epsilon: 1e-6 });
 * ```
 */
export const layerNormalization = (args: LayerNormalizationArgs = {}): LayerNormalization =>
  new LayerNormalization(args);
/**
 * Keras's MultiHeadAttention, applied to [query, value] or [query, value, key] (fused attention kernel).
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [16, 64] });
 * const y = fe.layers.multiHeadAttention({ numHeads: 4, keyDim: 16 }).apply([x, x]) as fe.SymbolicTensor; // [null, 16, 64]
 * ```
 */
export const multiHeadAttention = (args: MultiHeadAttentionArgs): MultiHeadAttention => new MultiHeadAttention(args);
/**
 * A learned vector per position (Keras-NLP's PositionEmbedding), broadcast to the input's shape.
 *
 * @example
 * ```ts
 * const tokens = fe.input({ shape: [32, 64] });
 * const positions = fe.layers.positionEmbedding({ sequenceLength: 32 }).apply(tokens) as fe.SymbolicTensor;
 * const x = fe.layers.add([tokens, positions]); // token + position embeddings
 * ```
 */
export const positionEmbedding = (args: PositionEmbeddingArgs): PositionEmbedding => new PositionEmbedding(args);

// ---- types in the public signatures: the classes the factories return (types only:
// make layers with the factories) and the small types inside the layers' arguments ----
export type {
  Dense,
  Flatten,
  Reshape,
  Dropout,
  Activation,
  Conv2D,
  AveragePooling2D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  MaxPooling2D,
  BatchNormalization,
  ZeroPadding2D,
  Conv1D,
  AveragePooling1D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  MaxPooling1D,
  Permute,
  RepeatVector,
  TimeDistributed,
  Masking,
  Embedding,
  LSTM,
  GRU,
  SimpleRNN,
  Bidirectional,
  RNN,
  GRUCell,
  LSTMCell,
  SimpleRNNCell,
  StackedRNNCells,
  Conv2DTranspose,
  Cropping2D,
  UpSampling2D,
  ELU,
  LeakyReLU,
  PReLU,
  ReLU,
  Softmax,
  ThresholdedReLU,
  GaussianDropout,
  GaussianNoise,
  SpatialDropout1D,
  SpatialDropout2D,
  DepthwiseConv2D,
  SeparableConv2D,
  LayerNormalization,
  MultiHeadAttention,
  PositionEmbedding,
};
export type { InputLayer } from './input-layer.js';
export type { Merge, Concatenate, Dot, Subtract } from './merge.js';
export type { RNNCell } from './recurrent/cells.js';
export type { RecurrentArgs, GatedRecurrentArgs } from './recurrent/base.js';
export type { ActivationFn } from './activations.js';
export type { Single } from './conv1d.js';
export type { Pair, DataFormat } from './spatial.js';
export type { Interpolation } from '../ops/upsample.js';
