// What compile, fit, evaluate and predict need of a model. training/ owns this
// interface and models/ implements it (LayersModel), so the training loop never imports
// the model classes: models/ depends on training/, never the other way round.

import type { DataType, Tensor } from '../tensor/tensor.js';
import type { CallKwargs } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { CallbackModel, History } from './callbacks.js';

/** What compile reads of a model's graph. */
export interface ModelGraph {
  readonly outputs: readonly SymbolicTensor[];
  /** Whether output k ends with `activation`, which training may then fuse into the loss (softmax cross-entropy). */
  canSplitOutputActivation(output: number, activation: string): boolean;
}

/** A model as training sees it: a layer with a graph from inputs to outputs, and training state. */
export interface TrainableModel extends CallbackModel {
  /** True while fit runs. */
  isTraining: boolean;
  /** The History of the last fit. */
  history: History | null;

  /** False while the graph waits for the data's shape (a Sequential model without inputShape). */
  readonly isGraphBuilt: boolean;
  /** The graph; built first from these input shapes and dtypes if it waits for them. */
  graph(sampleShapes?: readonly (readonly number[])[], dtypes?: readonly DataType[]): ModelGraph;
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** Whether results are one tensor (the model was made with one output) rather than a list. */
  readonly hasSingleOutput: boolean;
  /**
   * Runs the model on concrete inputs (one per model input). `preActivation[k]` asks for
   * output k before its final activation (the logits a fused loss takes); `outputMasks`
   * receives each output's mask (Embedding maskZero, Masking), null where there is none.
   */
  execute(
    xs: readonly Tensor[],
    kwargs: CallKwargs,
    preActivation?: readonly boolean[],
    outputMasks?: (Tensor | null)[],
  ): Tensor[];
}
