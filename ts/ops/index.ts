export * from './matmul.js';
export * from './arithmetic.js';
export * from './unary.js';
export * from './compare.js';
export * from './rounding.js';
export * from './trig.js';
export * from './reduce.js';
export * from './shape.js';
export * from './gather.js';
export * from './conv.js';
export * from './pool.js';
export * from './batchnorm.js';
export * from './activations.js';
export * from './softmax.js';
export { randomNormal, randomUniform, setRandomSeed, truncatedNormal } from './random.js';
export * from './dropout.js';
export {
  sigmoidCrossEntropyWithLogits,
  softmaxCrossEntropyWithLogits,
  sparseSoftmaxCrossEntropyWithLogits,
} from './fused-losses.js';
export * from './pad.js';
// Tensor methods (x.add(y), x.mean(0), ...): installed on Tensor.prototype by this import.
export { installChainedOps, type ChainedOps } from './chain.js';
export { conv1d, type Padding1D } from './conv1d.js';
export { topk, multinomial, sample, type SampleOptions } from './sampling.js';
// Reductions, scans, index ops, sequences and einsum of TF.js's catalogue.
export * from './cumulative.js';
export { all, any, logSumExp, norm, moments, type NormOrd } from './reduce-composite.js';
export { split, reverse, gatherND, scatterND, unique, bincount, denseBincount } from './indexing.js';
export { range, linspace, eye } from './sequences.js';
export { einsum } from './einsum.js';
// Transposed convolution and upsampling (generative models).
export { conv2dTranspose } from './conv-transpose.js';
export { upSampling2d, type Interpolation } from './upsample.js';
export { depthwiseConv2d, separableConv2d } from './depthwise.js';
// Transformers: attention as Keras 3's ops.dot_product_attention; the layer norm behind layers.layerNormalization.
export { dotProductAttention, type DotProductAttentionOptions } from './attention.js';
export { layerNorm, type LayerNormOptions } from './layer-norm.js';
// PReLU (TF.js's prelu op) as one fused kernel each way.
export { prelu } from './prelu.js';
