// The base of every layer, following tfjs-layers' life cycle:
//   apply(inputs) -> checks inputs against inputSpec -> build(inputShape) once, which
//   calls addWeight -> call(inputs, {training}) on tensors, or computeOutputShape on
//   symbolic tensors (the functional API), recording a graph node.
// getConfig() and the static className make layers serializable by class name.

import { Tensor, Variable, type DataType, type Shape } from '../tensor/tensor.js';
import { clone } from '../tensor/creation.js';
import type { InitializerIdentifier } from '../initializers/initializer.js';
import { getInitializer } from '../initializers/resolve.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers/regularizer.js';
import type { Constraint } from './constraints.js';
import { Node, SymbolicTensor, fmtSymbolicShape, type SymbolicShape } from './symbolic.js';
import { claimName, toSnakeCase, uniqueName, uniqueVariableName } from './naming.js';

/**
 * The arguments every layer takes (TF.js's `LayerArgs`), besides its own.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 4, name: 'logits', inputShape: [16], trainable: false });
 * ```
 */
export interface LayerArgs {
  /** Unique within a model; generated from the class name when omitted (`dense_1`). */
  name?: string;
  /** False freezes the layer: its weights get no gradient and are not updated. */
  trainable?: boolean;
  /** Input shape without the batch dimension (first layer of a Sequential model). */
  inputShape?: SymbolicShape;
  /** Input shape with the batch dimension (`null` for any batch size). */
  batchInputShape?: SymbolicShape;
  /** With `inputShape`: a fixed batch size. */
  batchSize?: number;
  /** The dtype of the layer's weights and output (default 'float32'). */
  dtype?: DataType;
  /** Initial values of the weights, set once the layer is built. */
  weights?: Tensor[];
  /**
   * A penalty on the layer's output, added to the training loss at each step of fit
   * (as Keras 3: the regularizer of the whole batch's output, not divided by its size).
   */
  activityRegularizer?: RegularizerIdentifier;
}

/**
 * Extra arguments of a call. `training` turns on training-only behaviour (dropout).
 *
 * @example
 * ```ts
 * const drop = fe.layers.dropout({ rate: 0.5, seed: 1 });
 * drop.apply(fe.ones([2, 4]), { training: true }); // about half the entries 0, the rest 2
 * ```
 */
export interface CallKwargs {
  /** True in fit's training steps: turns on training-only behaviour (dropout, noise, batch statistics). */
  training?: boolean;
  /** Set by fit: the layers frozen when the model was compiled (where `trainable` changes take effect). */
  frozenLayers?: ReadonlySet<Layer>;
  /** Set by fit: where layers with an activityRegularizer put their penalties (scalars). */
  activityLosses?: Tensor[];
  [key: string]: unknown;
}

/** What a layer accepts: rank bounds and fixed dimensions (negative axes count from the end). */
export interface InputSpec {
  ndim?: number;
  minNdim?: number;
  maxNdim?: number;
  axes?: Record<number, number>;
}

/** A layer's weight: the variable and what the layer declared about it. */
export interface LayerWeight {
  readonly variable: Variable;
  /** The short name given to addWeight ('kernel'). */
  readonly shortName: string;
  /** Declared trainable (a frozen layer's trainable weights still say true here). */
  readonly declaredTrainable: boolean;
  readonly regularizer: Regularizer | null;
  /** Projection applied after each optimizer step of fit (kernelConstraint, ...). */
  readonly constraint: Constraint | null;
}

/**
 * A layer's constructor arguments as JSON-serializable values (what `getConfig` returns and model.json saves).
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 3, activation: 'relu' }).getConfig().units; // 3
 * ```
 */
export type LayerConfig = Record<string, unknown>;

/** A function a layer runs on each call through `invokeCallHook` (TF.js's call hook). */
export type CallHook = (inputs: Tensor | Tensor[], kwargs: CallKwargs) => void;

export abstract class Layer {
  static className = 'Layer';

  /** The layer's name, unique among live layers (`dense_1` when not given). */
  readonly name: string;
  /** True once `build` has created the weights (on the first call or when the model is built). */
  built = false;
  /** Set from inputShape / batchInputShape: where a Sequential model's input comes from. */
  readonly batchInputShape?: SymbolicShape;
  /** The dtype of the layer's weights and output. */
  readonly dtype: DataType;
  /** Checked on every call, per input (one spec applies to all inputs when shorter). */
  inputSpec: InputSpec[] | null = null;
  /** Graph nodes: one per symbolic call of this layer. */
  readonly inboundNodes: Node[] = [];
  /** True for layers that accept a list of inputs (merge layers, models). */
  protected acceptsMultipleInputs = false;
  /**
   * True for layers that accept a mask with their input and pass it on (TF.js's
   * `supportsMasking`); see computeMask.
   */
  supportsMasking = false;

  private _trainable: boolean;
  private readonly ownWeights: LayerWeight[] = [];
  private initialWeights?: Tensor[];
  private disposed = false;
  private callHook: CallHook | null = null;

  constructor(args: LayerArgs = {}) {
    const cls = this.constructor as typeof Layer;
    if (args.name !== undefined) {
      if (typeof args.name !== 'string' || args.name.length === 0)
        throw new Error(`ferrite: ${cls.className}: name must be a non-empty string`);
      claimName(args.name);
      this.name = args.name;
    } else {
      this.name = uniqueName(this.namePrefix());
    }
    this._trainable = args.trainable ?? true;
    this.dtype = args.dtype ?? 'float32';
    if (args.batchInputShape !== undefined) {
      this.batchInputShape = checkSymbolicShape(this.name, args.batchInputShape, 'batchInputShape');
    } else if (args.inputShape !== undefined) {
      const s = checkSymbolicShape(this.name, args.inputShape, 'inputShape');
      this.batchInputShape = [args.batchSize ?? null, ...s];
    }
    this.initialWeights = args.weights;
    this.activityRegularizer = getRegularizer(args.activityRegularizer, `${this.name}: activityRegularizer`);
  }

  /** The penalty on this layer's output during fit (see LayerArgs.activityRegularizer). */
  readonly activityRegularizer: Regularizer | null;

  /** Prefix of generated names: the class name in snake_case. */
  protected namePrefix(): string {
    return toSnakeCase((this.constructor as typeof Layer).className);
  }

  /** The registered class name (`Dense`), as saved in model.json. */
  getClassName(): string {
    return (this.constructor as typeof Layer).className;
  }

  // ---- life cycle, overridden by subclasses ----

  /** Creates the weights for inputs of this shape (called once, before the first call). */
  build(_inputShape: SymbolicShape | SymbolicShape[]): void {
    this.built = true;
  }

  /** The computation, on concrete tensors. */
  abstract call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor | Tensor[];

  /** Output shape(s) for input shape(s); `null` entries stay unknown. */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    return inputShape;
  }

  /**
   * The mask of this layer's output for these inputs and input mask, as TF.js's
   * `computeMask`. A mask is a float32 [batch, steps] tensor of 1 (the step is data) and
   * 0 (the step is padding, to be skipped by recurrent layers and masked poolings); null
   * means no mask. `masking` and Embedding with `maskZero` make one; layers that support
   * masking pass it on unchanged by default; others refuse one, as TF.js does.
   */
  computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | (Tensor | null)[] | null): Tensor | (Tensor | null)[] | null {
    if (!this.supportsMasking) {
      const given = Array.isArray(mask) ? mask.some((m) => m != null) : mask != null;
      if (given) throw new Error(`ferrite: ${this.name}: this layer does not support masking, but was passed a mask`);
      return null;
    }
    return mask ?? null;
  }

  /** Output dtype for an input dtype (layers with weights produce float32). */
  computeOutputDtype(inputDtype: DataType): DataType {
    return inputDtype;
  }

  /** Constructor arguments that rebuild this layer (JSON-serializable). */
  getConfig(): LayerConfig {
    const config: LayerConfig = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape !== undefined) config.batchInputShape = [...this.batchInputShape];
    if (this.activityRegularizer !== null) config.activityRegularizer = this.activityRegularizer.serialize();
    return config;
  }

  /** Rebuilds a layer from its config (each subclass's constructor takes its config). */
  static fromConfig(config: LayerConfig): Layer {
    return new (this as unknown as new (c: LayerConfig) => Layer)(config);
  }

  // ---- applying ----

  /**
   * Applies the layer. On tensors it computes (building the layer first if needed); on
   * symbolic tensors (from `input()` or another layer) it records a graph node and
   * returns the symbolic output, for `model({inputs, outputs})`.
   */
  apply(inputs: SymbolicTensor, kwargs?: CallKwargs): SymbolicTensor;
  apply(inputs: Tensor, kwargs?: CallKwargs): Tensor;
  apply(inputs: SymbolicTensor[], kwargs?: CallKwargs): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor[], kwargs?: CallKwargs): Tensor | Tensor[];
  apply(
    inputs: Tensor | SymbolicTensor | Tensor[] | SymbolicTensor[],
    kwargs?: CallKwargs,
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  apply(
    inputs: Tensor | SymbolicTensor | Tensor[] | SymbolicTensor[],
    kwargs: CallKwargs = {},
  ): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[] {
    this.assertAlive();
    const single = !Array.isArray(inputs);
    const list = (single ? [inputs] : inputs) as (Tensor | SymbolicTensor)[];
    if (list.length === 0) throw new Error(`ferrite: ${this.name}: apply() needs at least one input`);
    const symbolic = list.filter((t) => t instanceof SymbolicTensor).length;
    if (symbolic !== 0 && symbolic !== list.length) {
      throw new Error(
        `ferrite: ${this.name}: inputs mix symbolic tensors and tensors; pass all symbolic (to build a model) or all concrete`,
      );
    }
    if (symbolic === 0) {
      list.forEach((t, i) => {
        if (!(t instanceof Tensor))
          throw new Error(`ferrite: ${this.name}: input ${i} must be a Tensor or SymbolicTensor, got ${describe(t)}`);
      });
      return this.callOnTensors(list as Tensor[], single, kwargs);
    }
    return this.callSymbolic(list as SymbolicTensor[], single, kwargs);
  }

  /** Checks, builds if needed, and calls: what models run for each node. */
  callOnTensors(inputs: Tensor[], single: boolean, kwargs: CallKwargs): Tensor | Tensor[] {
    const shapes = inputs.map((t) => t.shape as SymbolicShape);
    this.buildFromDeclaredShape();
    this.assertInputCompatible(shapes, single);
    this.ensureBuilt(single ? shapes[0] : shapes);
    return this.call(single ? inputs[0] : inputs, kwargs);
  }

  private callSymbolic(
    inputs: SymbolicTensor[],
    single: boolean,
    kwargs: CallKwargs,
  ): SymbolicTensor | SymbolicTensor[] {
    const shapes = inputs.map((t) => t.shape);
    this.buildFromDeclaredShape();
    this.assertInputCompatible(shapes, single);
    const inShape = single ? shapes[0] : shapes;
    this.ensureBuilt(inShape);
    const out = this.computeOutputShape(inShape);
    const outShapes = isShapeList(out) ? out : [out as SymbolicShape];
    const node = new Node(this, inputs, single, kwargs, outShapes.length);
    const dtype = this.computeOutputDtype(inputs[0].dtype);
    outShapes.forEach((s, i) => node.outputs.push(new SymbolicTensor(dtype, [...s], node, i)));
    this.inboundNodes.push(node);
    return isShapeList(out) ? node.outputs : node.outputs[0];
  }

  /** A layer given an input shape is built for it, so that other inputs are rejected. */
  private buildFromDeclaredShape(): void {
    if (!this.built && this.batchInputShape !== undefined) this.ensureBuilt(this.batchInputShape);
  }

  /** Builds the layer for this input shape if it is not built yet, then sets initial weights. */
  ensureBuilt(inputShape: SymbolicShape | SymbolicShape[]): void {
    if (this.built) return;
    this.build(inputShape);
    this.built = true;
    if (this.initialWeights !== undefined) {
      const w = this.initialWeights;
      this.initialWeights = undefined;
      this.setWeights(w);
    }
  }

  /**
   * Throws a clear error naming this layer when inputs do not fit `inputSpec`.
   *
   * @internal
   */
  assertInputCompatible(shapes: SymbolicShape[], single: boolean): void {
    if (!single && !this.acceptsMultipleInputs && shapes.length !== 1) {
      throw new Error(`ferrite: ${this.name}: expects a single input, got ${shapes.length}`);
    }
    this.assertMatchesInputSpec(shapes);
    // A declared input shape binds too (Flatten({inputShape: [28, 28]}) takes only 28 x 28).
    const declared = this.batchInputShape;
    if (declared !== undefined && shapes.length === 1) {
      const got = shapes[0];
      if (got.length !== declared.length || declared.some((d, k) => d !== null && got[k] !== null && d !== got[k])) {
        throw new Error(
          `ferrite: ${this.name}: expected input of shape ${fmtSymbolicShape(declared)}, got ${fmtSymbolicShape(got)}`,
        );
      }
    }
  }

  private assertMatchesInputSpec(shapes: SymbolicShape[]): void {
    if (this.inputSpec === null) return;
    shapes.forEach((shape, i) => {
      const spec = this.inputSpec![Math.min(i, this.inputSpec!.length - 1)];
      const which = shapes.length > 1 ? ` ${i}` : '';
      const got = fmtSymbolicShape(shape);
      if (spec.ndim !== undefined && shape.length !== spec.ndim) {
        throw new Error(`ferrite: ${this.name}: expected input${which} of rank ${spec.ndim}, got ${got}`);
      }
      if (spec.minNdim !== undefined && shape.length < spec.minNdim) {
        throw new Error(`ferrite: ${this.name}: expected input${which} of rank >= ${spec.minNdim}, got ${got}`);
      }
      if (spec.maxNdim !== undefined && shape.length > spec.maxNdim) {
        throw new Error(`ferrite: ${this.name}: expected input${which} of rank <= ${spec.maxNdim}, got ${got}`);
      }
      for (const [axisKey, size] of Object.entries(spec.axes ?? {})) {
        const axis = Number(axisKey);
        const a = axis < 0 ? shape.length + axis : axis;
        const actual = shape[a];
        if (a < 0 || a >= shape.length || (actual !== null && actual !== size)) {
          const where = axis === -1 ? 'last dimension' : `dimension ${axis}`;
          throw new Error(`ferrite: ${this.name}: expected input${which} with ${where} ${size}, got ${got}`);
        }
      }
    });
  }

  /** Runs the hook set by `setCallHook`, if any (TF.js's custom layers call it first in `call`). */
  invokeCallHook(inputs: Tensor | Tensor[], kwargs: CallKwargs): void {
    if (this.callHook !== null) this.callHook(inputs, kwargs);
  }

  /** A function `invokeCallHook` runs on each call. */
  setCallHook(callHook: CallHook): void {
    this.callHook = callHook;
  }

  /** Removes the hook set by `setCallHook`. */
  clearCallHook(): void {
    this.callHook = null;
  }

  /** The one symbolic call of this layer, for `input` / `output`. */
  private onlyNode(what: string): Node {
    if (this.inboundNodes.length === 1) return this.inboundNodes[0];
    throw new Error(
      this.inboundNodes.length === 0
        ? `ferrite: ${this.name}: ${what}: the layer has not been applied to a symbolic input yet`
        : `ferrite: ${this.name}: ${what}: the layer was applied ${this.inboundNodes.length} times, so it has several ${what}s; use the symbolic tensors its apply() calls returned`,
    );
  }

  /**
   * The symbolic output of the layer's one call in a graph (TF.js's `layer.output`), e.g.
   * for a model from an inner layer: `model({inputs: base.inputs, outputs: base.getLayer('conv2').output})`.
   */
  get output(): SymbolicTensor | SymbolicTensor[] {
    const node = this.onlyNode('output');
    return node.outputs.length === 1 ? node.outputs[0] : [...node.outputs];
  }

  /** The symbolic input of the layer's one call in a graph (TF.js's `layer.input`). */
  get input(): SymbolicTensor | SymbolicTensor[] {
    const node = this.onlyNode('input');
    return node.singleInput ? node.inputs[0] : [...node.inputs];
  }

  // ---- weights ----

  /**
   * Creates a weight of this layer, named `<layer>/<name>` (made unique among live
   * variables), filled by `initializer`.
   */
  addWeight(
    name: string,
    shape: Shape,
    dtype: DataType = 'float32',
    initializer: InitializerIdentifier = 'glorotUniform',
    regularizer: Regularizer | null = null,
    trainable = true,
    constraint: Constraint | null = null,
  ): Variable {
    this.assertAlive();
    const init = getInitializer(initializer, `initializer of ${this.name}/${name}`);
    const value = init.apply(shape, dtype);
    let v: Variable;
    try {
      v = new Variable(value, trainable && this._trainable, uniqueVariableName(`${this.name}/${name}`));
    } finally {
      value.dispose();
    }
    this.ownWeights.push({ variable: v, shortName: name, declaredTrainable: trainable, regularizer, constraint });
    return v;
  }

  /** This layer's own weights with their declarations (containers aggregate their layers'). */
  get layerWeights(): readonly LayerWeight[] {
    return this.ownWeights;
  }

  /** All weight variables, trainable first is not guaranteed: creation order. */
  get weights(): Variable[] {
    return this.layerWeights.map((w) => w.variable);
  }

  /** The weights that training updates (none when the layer is frozen). */
  get trainableWeights(): Variable[] {
    return this.layerWeights.filter((w) => w.variable.trainable).map((w) => w.variable);
  }

  /** The weights that training leaves alone (a frozen layer's weights, BatchNormalization's moving statistics). */
  get nonTrainableWeights(): Variable[] {
    return this.layerWeights.filter((w) => !w.variable.trainable).map((w) => w.variable);
  }

  /** False when the layer is frozen: its weights then get no gradient and are not updated. */
  get trainable(): boolean {
    return this._trainable;
  }

  /** Freezing a layer removes its weights from training (gradients and updates). */
  set trainable(value: boolean) {
    this._trainable = value;
    for (const w of this.ownWeights) w.variable.trainable = value && w.declaredTrainable;
  }

  /** Copies of the weight values, in `weights` order (the caller owns them). */
  getWeights(trainableOnly = false): Tensor[] {
    this.assertAlive();
    return (trainableOnly ? this.trainableWeights : this.weights).map((v) => clone(v));
  }

  /** Sets every weight from `values`, in `weights` order, checking count and shapes. */
  setWeights(values: Tensor[]): void {
    this.assertAlive();
    const ws = this.weights;
    if (!Array.isArray(values) || values.length !== ws.length) {
      throw new Error(
        `ferrite: ${this.name}: setWeights expects ${ws.length} tensors (${ws.map((w) => w.name).join(', ')}), got ${Array.isArray(values) ? values.length : describe(values)}`,
      );
    }
    ws.forEach((w, i) => {
      const v = values[i];
      if (!(v instanceof Tensor)) throw new Error(`ferrite: ${this.name}: setWeights: value ${i} is not a Tensor`);
      if (v.shape.length !== w.shape.length || v.shape.some((d, k) => d !== w.shape[k])) {
        throw new Error(
          `ferrite: ${this.name}: setWeights: weight ${w.name} has shape [${w.shape.join(', ')}], got [${v.shape.join(', ')}]`,
        );
      }
      // Everything assign checks, checked before any weight changes.
      v.assertAlive(`${this.name}: setWeights: value ${i}`);
      if (v.dtype !== w.dtype)
        throw new Error(`ferrite: ${this.name}: setWeights: weight ${w.name} is ${w.dtype}, got ${v.dtype}`);
      if (v.engine !== w.engine)
        throw new Error(
          `ferrite: ${this.name}: setWeights: value ${i} lives on the ${v.engine.name} build, the weights on ${w.engine.name}`,
        );
    });
    ws.forEach((w, i) => w.assign(values[i]));
  }

  /** Number of scalars in the weights. Throws if the layer is not built yet. */
  countParams(): number {
    if (!this.built) {
      throw new Error(
        `ferrite: ${this.name}: countParams() needs the layer built (give it an inputShape or call it once)`,
      );
    }
    let n = 0;
    for (const w of this.weights) n += w.size;
    return n;
  }

  /** Regularization penalties of the weights (scalars), added to the training loss. */
  regularizationLosses(): Tensor[] {
    const out: Tensor[] = [];
    for (const w of this.layerWeights) if (w.regularizer !== null) out.push(w.regularizer.apply(w.variable));
    return out;
  }

  // ---- lifetime ----

  /** True once `dispose` freed the weights. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws a clear error naming the layer (and `op`) if it was disposed. */
  protected assertAlive(op?: string): void {
    if (this.disposed) throw new Error(`ferrite: ${this.name} is disposed${op ? `; ${op} cannot run on it` : ''}`);
  }

  /** Frees the weights. The layer cannot be used afterwards. */
  dispose(): {
    /** Always 0: a layer is not shared by reference count here. */
    refCountAfterDispose: number;
    /** How many weight variables this call freed. */
    numDisposedVariables: number;
  } {
    if (this.disposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    let n = 0;
    for (const w of this.ownWeights) {
      if (!w.variable.isDisposed) {
        w.variable.dispose();
        n++;
      }
    }
    this.disposed = true;
    return { refCountAfterDispose: 0, numDisposedVariables: n };
  }
}

/** True when `s` is a list of shapes rather than one shape. */
export function isShapeList(s: SymbolicShape | SymbolicShape[]): s is SymbolicShape[] {
  return s.length > 0 && Array.isArray(s[0]);
}

export function checkSymbolicShape(layer: string, shape: unknown, what: string): SymbolicShape {
  if (!Array.isArray(shape) || shape.some((d) => d !== null && (!Number.isInteger(d) || d < 0))) {
    throw new Error(
      `ferrite: ${layer}: ${what} must be an array of non-negative integers or null, got ${JSON.stringify(shape)}`,
    );
  }
  return [...shape];
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  return typeof x;
}

/** The one tensor of a single-output call; throws naming the layer otherwise. */
export function single(layer: string, x: Tensor | Tensor[]): Tensor {
  if (Array.isArray(x)) {
    if (x.length !== 1) throw new Error(`ferrite: ${layer}: expects a single input, got ${x.length}`);
    return x[0];
  }
  return x;
}

/** The one float32 tensor of a call (what layers that compute in float32 take); throws naming the layer otherwise. */
export function singleFloat32(layer: string, x: Tensor | Tensor[]): Tensor {
  const t = single(layer, x);
  if (t.dtype !== 'float32')
    throw new Error(`ferrite: ${layer}: expected float32 input, got ${t.dtype} [${t.shape.join(', ')}]`);
  return t;
}
