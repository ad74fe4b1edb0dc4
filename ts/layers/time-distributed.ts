// TimeDistributed: applies one layer to every step of [batch, steps, ...] inputs, as
// Keras's and TF.js's wrapper: the steps are folded into the batch ([batch * steps, ...]),
// the layer runs once on all of them (one large GEMM for a Dense), and the result is
// unfolded. The wrapper's weights are the wrapped layer's.

import type { DataType, Tensor } from '../tensor/tensor.js';
import { reshape } from '../ops/shape.js';
import { tidy } from '../tensor/scope.js';
import {
  Layer,
  isShapeList,
  single,
  type CallKwargs,
  type LayerArgs,
  type LayerConfig,
  type LayerWeight,
} from './layer.js';
import { deserialize, registerClass, type SerializedObject } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';

/**
 * The arguments of `layers.timeDistributed`.
 *
 * @example
 * ```ts
 * fe.layers.timeDistributed({ layer: fe.layers.conv2d({ filters: 8, kernelSize: 3 }) }); // a conv on each frame of [batch, frames, h, w, c]
 * ```
 */
export interface TimeDistributedArgs extends LayerArgs {
  /** The layer applied to each step (or its {className, config}, as saved). */
  layer: Layer | SerializedObject;
}

/**
 * The layer `layers.timeDistributed` makes: applies `layer` to every step of [batch, steps, ...].
 *
 * @example
 * ```ts
 * const layer = fe.layers.timeDistributed({ layer: fe.layers.dense({ units: 3 }) });
 * layer.apply(fe.ones([2, 10, 4]));
 * layer.getWeights().map((w) => w.shape); // [[4, 3], [3]]: one Dense shared by all steps
 * ```
 */
export class TimeDistributed extends Layer {
  static override className = 'TimeDistributed';
  /** {@inheritDoc TimeDistributedArgs.layer} */
  readonly layer: Layer;

  constructor(args: TimeDistributedArgs) {
    super(args);
    // Passes a sequence mask on, as TF.js's.
    this.supportsMasking = true;
    const inner = args?.layer;
    if (inner instanceof Layer) this.layer = inner;
    else if (inner !== null && typeof inner === 'object' && typeof (inner as SerializedObject).className === 'string')
      this.layer = deserialize<Layer>(inner as SerializedObject, 'layer');
    else throw new Error(`ferrite: ${this.name}: layer must be a Layer, got ${JSON.stringify(inner)}`);
    this.inputSpec = [{ minNdim: 3 }];
  }

  /** One step's shape with the batch: [batch * steps (or null), ...rest]. */
  private stepShape(shape: SymbolicShape): SymbolicShape {
    if (shape.length < 3)
      throw new Error(
        `ferrite: ${this.name}: expected input of rank >= 3 [batch, steps, ...], got ${fmtSymbolicShape(shape)}`,
      );
    const [n, t] = shape;
    return [n === null || t === null ? null : n * t, ...shape.slice(2)];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.layer.ensureBuilt(this.stepShape(inputShape as SymbolicShape));
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor {
    const x = single(this.name, inputs);
    const [n, t] = x.shape;
    return tidy(() => {
      const y = this.layer.apply(reshape(x, [n * t, ...x.shape.slice(2)]), kwargs);
      if (Array.isArray(y)) throw new Error(`ferrite: ${this.name}: the wrapped layer must have one output`);
      return reshape(y, [n, t, ...y.shape.slice(1)]);
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const out = this.layer.computeOutputShape(this.stepShape(shape));
    if (isShapeList(out)) throw new Error(`ferrite: ${this.name}: the wrapped layer must have one output`);
    return [shape[0], shape[1], ...out.slice(1)];
  }

  override computeOutputDtype(inputDtype: DataType): DataType {
    return this.layer.computeOutputDtype(inputDtype);
  }

  override get layerWeights(): readonly LayerWeight[] {
    return this.layer.layerWeights;
  }

  override get trainable(): boolean {
    return super.trainable;
  }

  override set trainable(value: boolean) {
    super.trainable = value;
    this.layer.trainable = value;
  }

  override regularizationLosses(): Tensor[] {
    return this.layer.regularizationLosses();
  }

  override dispose(): {
    /** Always 0: a layer is not shared by reference count here. */
    refCountAfterDispose: number;
    /** How many weight variables this call freed. */
    numDisposedVariables: number;
  } {
    if (this.isDisposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    const r = this.layer.dispose();
    super.dispose();
    return r;
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), layer: { className: this.layer.getClassName(), config: this.layer.getConfig() } };
  }
}
registerClass(TimeDistributed);
