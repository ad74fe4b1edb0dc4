// Sequential: a linear stack of layers, built on the functional machinery (an input
// layer, then each layer applied to the previous output). When the first layer has no
// input shape, the graph is built on first use, from the data's shape.

import type { DataType } from '../tensor/tensor.js';
import { Layer, type LayerArgs, type LayerConfig } from '../layers/layer.js';
import { InputLayer } from '../layers/input-layer.js';
import { SymbolicTensor, type SymbolicShape } from '../layers/symbolic.js';
import { deserialize, registerClass } from '../serialization/registry.js';
import { LayersModel } from './layers-model.js';

/** The arguments of `sequential` (TF.js's SequentialArgs). */
export interface SequentialArgs {
  /** The layers, in order; the first needs an inputShape (or add them later with `add`). */
  layers?: Layer[];
  /** The model's name (generated when omitted). */
  name?: string;
}

/**
 * A linear stack of layers, as TF.js's `tf.Sequential`, made by `sequential({layers})`; the
 * first layer says the input shape.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 10, activation: 'softmax', inputShape: [784] })] });
 * m.layers.length; // 1
 * m instanceof fe.Sequential; // true
 * ```
 */
export class Sequential extends LayersModel {
  /** The class name saved in model.json. */
  static override className = 'Sequential';
  /** The stacked layers, without the input layer (as in Keras). */
  private stack: Layer[] = [];
  private inputTensor: SymbolicTensor | null = null;
  private lastOutput: SymbolicTensor | null = null;
  /** Symbolic output of each stacked layer (once the graph exists). */
  private stackOutputs: SymbolicTensor[] = [];

  constructor(args: SequentialArgs = {}) {
    super({ name: args.name });
    for (const l of args.layers ?? []) this.add(l);
  }

  override get layers(): Layer[] {
    return [...this.stack];
  }

  /**
   * Appends a layer (or a model, or `input()`'s symbolic tensor as the first item).
   *
   * @example
   * ```ts
   * const m = fe.sequential();
   * m.add(fe.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }));
   * m.add(fe.layers.dense({ units: 1 }));
   * m.outputs[0].shape; // [null, 1]
   * ```
   */
  add(layer: Layer | SymbolicTensor): void {
    this.assertAlive();
    if (layer instanceof SymbolicTensor) {
      if (this.stack.length > 0 || this.inputTensor !== null || !(layer.sourceLayer instanceof InputLayer)) {
        throw new Error(`ferrite: ${this.name}: an input() can only be added first`);
      }
      this.inputTensor = layer;
      this.lastOutput = layer;
      return;
    }
    if (!(layer instanceof Layer)) throw new Error(`ferrite: ${this.name}: add() expects a layer, got ${typeof layer}`);
    if (layer instanceof InputLayer) {
      if (this.stack.length > 0 || this.inputTensor !== null)
        throw new Error(`ferrite: ${this.name}: an InputLayer can only be added first`);
      this.inputTensor = layer.output;
      this.lastOutput = layer.output;
      return;
    }
    if (this.stack.includes(layer))
      throw new Error(`ferrite: ${this.name}: layer ${layer.name} is already in the model`);
    if (this.stack.some((l) => l.name === layer.name)) {
      throw new Error(
        `ferrite: ${this.name}: layer names must be unique in a model, but '${layer.name}' is already used`,
      );
    }
    if (this.lastOutput === null && this.stack.length === 0) {
      const shape = firstInputShape(layer);
      if (shape !== undefined) {
        this.inputTensor = new InputLayer({
          batchInputShape: shape,
          dtype: firstInputDtype(layer),
          name: `${layer.name}_input`,
        }).output;
        this.lastOutput = this.inputTensor;
      }
    }
    if (this.lastOutput !== null) {
      const out = layer.apply(this.lastOutput);
      if (!(out instanceof SymbolicTensor)) {
        throw new Error(
          `ferrite: ${this.name}: layers of a Sequential model must have one output; ${layer.name} has several (use the functional API)`,
        );
      }
      this.lastOutput = out;
      this.stackOutputs.push(out);
    }
    this.stack.push(layer);
    if (this.lastOutput !== null && this.inputTensor !== null && this.stack.length > 0) {
      super.initGraph(this.inputTensor, this.lastOutput);
    }
  }

  /**
   * Removes the last layer.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 4, inputShape: [2] }), fe.layers.dense({ units: 1 })] });
   * m.pop();
   * m.outputs[0].shape; // [null, 4]
   * ```
   */
  pop(): void {
    if (this.stack.length === 0) throw new Error(`ferrite: ${this.name}: pop() on an empty model`);
    this.stack.pop();
    if (this.inputTensor === null || this.stackOutputs.length === 0) return;
    this.stackOutputs.pop();
    this.lastOutput = this.stackOutputs.at(-1) ?? this.inputTensor;
    if (this.stack.length === 0) this.plan = null;
    else super.initGraph(this.inputTensor, this.lastOutput);
  }

  protected override buildDeferred(shapes?: readonly (readonly number[])[], dtypes?: readonly DataType[]): void {
    if (this.stack.length === 0) throw new Error(`ferrite: ${this.name}: the model has no layers; add some first`);
    if (shapes === undefined || shapes.length === 0) {
      throw new Error(
        `ferrite: ${this.name}: the model is not built: give the first layer an inputShape (e.g. dense({units, inputShape: [784]})), or call fit/predict first`,
      );
    }
    if (shapes.length !== 1)
      throw new Error(`ferrite: ${this.name}: a Sequential model takes one input, got ${shapes.length}`);
    const shape: SymbolicShape = [null, ...shapes[0].slice(1)];
    let out = new InputLayer({
      batchInputShape: shape,
      dtype: dtypes?.[0] ?? 'float32',
      name: `${this.stack[0].name}_input`,
    }).output;
    this.inputTensor = out;
    this.stackOutputs = [];
    for (const l of this.stack) {
      const next = l.apply(out);
      if (!(next instanceof SymbolicTensor))
        throw new Error(`ferrite: ${this.name}: layer ${l.name} has several outputs (use the functional API)`);
      out = next;
      this.stackOutputs.push(out);
    }
    this.lastOutput = out;
    super.initGraph(this.inputTensor, this.lastOutput);
  }

  override getConfig(): LayerConfig {
    const config: LayerConfig = {
      name: this.name,
      layers: this.stack.map((l) => ({ className: l.getClassName(), config: l.getConfig() })),
    };
    if (this.inputTensor !== null) config.batchInputShape = [...this.inputTensor.shape];
    return config;
  }

  static override fromConfig(config: LayerConfig): Sequential {
    const m = new Sequential({ name: config.name as string | undefined });
    const layerConfigs = (config.layers ?? []) as { className: string; config: Record<string, unknown> }[];
    layerConfigs.forEach((lc, i) => {
      const c = { ...lc.config };
      if (i === 0 && config.batchInputShape !== undefined && c.batchInputShape === undefined)
        c.batchInputShape = config.batchInputShape;
      m.add(deserialize<Layer>({ className: lc.className, config: c }, 'layer'));
    });
    return m;
  }
}
registerClass(Sequential);

/** The batch input shape a first layer declares (its own, or a nested model's input). */
function firstInputShape(layer: Layer): SymbolicShape | undefined {
  if (layer.batchInputShape !== undefined) return layer.batchInputShape;
  if (layer instanceof LayersModel && layer.isGraphBuilt && layer.inputs.length === 1)
    return [...layer.inputs[0].shape];
  return undefined;
}

function firstInputDtype(layer: Layer): DataType {
  if (layer instanceof LayersModel && layer.isGraphBuilt && layer.inputs.length === 1) return layer.inputs[0].dtype;
  return layer.dtype;
}

/**
 * A Sequential model, like `tf.sequential({layers: [...]})`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({
 *   layers: [fe.layers.dense({ units: 32, activation: 'relu', inputShape: [10] }), fe.layers.dense({ units: 1 })],
 * });
 * m.countParams(); // 385
 * ```
 */
export function sequential(args: SequentialArgs = {}): Sequential {
  return new Sequential(args);
}

export type { LayerArgs };
