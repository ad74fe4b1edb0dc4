// The loss of one output for a batch, shared by the training step and evaluation:
// the plain path calls the loss function on predictions; the fused paths compute
// softmax cross-entropy from the logits in one op (faster, and exact where softmax
// would round to 0 and log would give -Infinity).

import type { Tensor } from '../tensor/tensor.js';
import { add, addN, mean, mul, reshape } from '../ops/index.js';
import { cast } from '../ops/unary.js';
import { softmax } from '../ops/softmax.js';
import { sigmoid } from '../ops/activations.js';
import {
  sigmoidCrossEntropyWithLogits,
  softmaxCrossEntropyWithLogits,
  sparseSoftmaxCrossEntropyWithLogits,
} from '../ops/fused-losses.js';
import { sameShape } from '../ops/util.js';
import type { CompiledOutput } from './compile.js';
import { maskedMeanLoss, unmaskedSteps } from './output-mask.js';

/**
 * A batch's targets as the built-in losses and metrics take them: int32 and bool targets
 * (TF.js's oneHot gives int32) cast to float32, as TF.js mixes them into float32 losses;
 * integer labels of sparse losses and targets of custom losses are left as they are.
 */
export function lossTargets(outs: readonly CompiledOutput[], ys: Tensor[]): Tensor[] {
  return ys.map((y, k) =>
    y.dtype === 'float32' || outs[k].sparseLabels || !outs[k].builtinLoss ? y : cast(y, 'float32'),
  );
}

/**
 * Mean loss of output `out` over the batch (a scalar). `pred` is the output, or its logits
 * on the fused paths; `sampleWeight` ([batch]) weights each sample's loss (Keras's
 * 'sum over batch size' reduction: mean of weighted losses). `mask` (the output's mask,
 * [batch, steps]) restricts the mean to the unmasked steps, as Keras does.
 */
export function outputLoss(
  out: CompiledOutput,
  yTrue: Tensor,
  pred: Tensor,
  sampleWeight: Tensor | null,
  mask: Tensor | null = null,
): Tensor {
  let perSample: Tensor;
  switch (out.path) {
    case 'plain':
      perSample = out.lossFn(yTrue, pred);
      break;
    case 'fusedSparse':
      perSample = sparseSoftmaxCrossEntropyWithLogits(yTrue, pred);
      break;
    case 'fusedCategorical':
      perSample = softmaxCrossEntropyWithLogits(yTrue, pred);
      break;
    case 'fusedBinary': {
      // Binary cross-entropy is the mean over the last axis of the elementwise loss.
      const labels = sameShape(yTrue.shape, pred.shape) ? yTrue : reshape(yTrue, pred.shape);
      perSample = mean(sigmoidCrossEntropyWithLogits(labels, pred), -1);
      break;
    }
  }
  if (sampleWeight !== null) {
    const w =
      perSample.rank > 1
        ? reshape(sampleWeight, [sampleWeight.size, ...perSample.shape.slice(1).map(() => 1)])
        : sampleWeight;
    perSample = mul(perSample, w);
  }
  if (perSample.rank === 0) return perSample;
  return mask === null ? mean(perSample) : maskedMeanLoss(perSample, mask, `output '${out.outputName}'`);
}

/**
 * The loss that training minimizes: the sum of the outputs' losses, each times its
 * `lossWeight` (Keras's loss_weights), plus the regularization penalties when asked.
 */
export function totalLoss(
  outs: readonly CompiledOutput[],
  losses: Tensor[],
  regularization: (() => Tensor[]) | null,
): Tensor {
  const weighted = losses.map((l, k) => (outs[k].lossWeight === 1 ? l : mul(l, outs[k].lossWeight)));
  let total = weighted.length === 1 ? weighted[0] : addN(weighted);
  const penalties = regularization?.() ?? [];
  if (penalties.length > 0) total = add(total, penalties.length === 1 ? penalties[0] : addN(penalties));
  return total;
}

/** What metrics see: probabilities (the logits of a fused output go through their activation first, unless the metrics only take an argmax). */
export function predictionsForMetrics(out: CompiledOutput, pred: Tensor): Tensor {
  if (out.path === 'plain' || out.metricsTakeLogits) return pred;
  return out.path === 'fusedBinary' ? sigmoid(pred) : softmax(pred, -1);
}

/**
 * Updates each metric of output `out` with a batch; returns their values on this batch.
 * With the output's `mask`, only the unmasked steps count (a batch of padding only adds
 * nothing, and reports the metrics' running values).
 */
export function updateMetrics(
  out: CompiledOutput,
  yTrue: Tensor,
  pred: Tensor,
  into: number[],
  mask: Tensor | null = null,
): void {
  if (out.metrics.length === 0) return;
  if (mask !== null) {
    const kept = unmaskedSteps(yTrue, pred, mask);
    if (kept === null) {
      for (const m of out.metrics) into.push(m.metric.result());
      return;
    }
    ({ yTrue, pred } = kept);
  }
  const probs = predictionsForMetrics(out, pred);
  for (const m of out.metrics) into.push(m.metric.update(yTrue, probs));
}

/** The first value of a (scalar) tensor, read back to JS. */
export function readScalar(t: Tensor): number {
  return t.view()[0];
}
