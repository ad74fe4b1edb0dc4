// LayersModel: a graph of layers from symbolic inputs to outputs (the functional API,
// `model({inputs, outputs})`), with Keras's training API: compile, fit, evaluate,
// predict. Sequential is the same machinery with a chain of layers. A model is itself
// a layer, so models nest.

import { Tensor, type DataType, type Variable } from '../tensor/tensor.js';
import { Layer, type CallKwargs, type LayerArgs, type LayerConfig, type LayerWeight } from '../layers/layer.js';
import { InputLayer } from '../layers/input-layer.js';
import { Node, SymbolicTensor, type SymbolicShape } from '../layers/symbolic.js';
import { deserialize, registerClass } from '../serialization/registry.js';
import { GraphPlan } from './graph.js';
import { cast } from '../ops/unary.js';
import { isRecording } from '../autograd/tape.js';
import { printSummary } from './summary.js';
import { compileModel, requireCompiled, type CompiledState, type ModelCompileArgs } from '../training/compile.js';
import { fitModel, type ModelFitArgs } from '../training/fit.js';
import {
  evaluateModel,
  predictModel,
  trainOnBatchModel,
  type ModelEvaluateArgs,
  type ModelPredictArgs,
} from '../training/evaluate.js';
import type { History } from '../training/callbacks.js';
import {
  evaluateDatasetModel,
  fitDatasetModel,
  type ModelEvaluateDatasetArgs,
  type ModelFitDatasetArgs,
} from '../training/fit-dataset.js';
import type { Dataset } from '../data/dataset.js';
import { checkAgainstInput, type ModelData } from '../training/data-checks.js';
import type { TrainableModel } from '../training/trainable-model.js';
import type { IOHandler, SaveConfig, SaveResult } from '../io/types.js';
import { modelTopology, saveModel } from './save.js';

/** The arguments of `model` (TF.js's ContainerArgs): the symbolic inputs and outputs. */
export interface ModelArgs {
  /** The model's inputs, from `input()`. */
  inputs: SymbolicTensor | SymbolicTensor[];
  /** The model's outputs: layers applied to the inputs. */
  outputs: SymbolicTensor | SymbolicTensor[];
  /** The model's name (generated when omitted). */
  name?: string;
}

/**
 * A model: a graph of layers from inputs to outputs, as TF.js's `tf.LayersModel`, made by
 * `model({inputs, outputs})`. Compile it, then `fit`, `evaluate`, `predict`, `save`.
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [4] });
 * const h = fe.layers.dense({ units: 8, activation: 'relu' }).apply(x) as fe.SymbolicTensor;
 * const y = fe.layers.dense({ units: 1 }).apply(h) as fe.SymbolicTensor;
 * const m = fe.model({ inputs: x, outputs: y });
 * m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
 * (m.predict(fe.ones([2, 4])) as fe.Tensor).shape; // [2, 1]
 * ```
 */
export class LayersModel extends Layer implements TrainableModel {
  /** The class name saved in model.json ('Model', TF.js's for functional models). */
  static override className = 'Model';

  /** Set by a callback (EarlyStopping) to end `fit` after the current batch. */
  stopTraining = false;
  /** The History of the last `fit`. */
  history: History | null = null;
  /** True while `fit` runs. */
  isTraining = false;
  /** Set by `compile`. */
  compiled: CompiledState | null = null;

  protected plan: GraphPlan | null = null;
  /** Whether inputs / outputs were given as single tensors (so results are too). */
  protected singleInput = true;
  protected singleOutput = true;

  constructor(args: Partial<ModelArgs> & LayerArgs) {
    super({ name: args.name });
    // Subclasses (Sequential) may start without a graph and plan it later.
    if (new.target === LayersModel || args.inputs !== undefined || args.outputs !== undefined)
      this.initGraph(args.inputs, args.outputs);
    if (args.trainable === false) this.trainable = false;
  }

  /** (Re)plans the graph from inputs to outputs. */
  protected initGraph(
    inputs: SymbolicTensor | SymbolicTensor[] | undefined,
    outputs: SymbolicTensor | SymbolicTensor[] | undefined,
  ): void {
    if (inputs === undefined || outputs === undefined) {
      throw new Error(
        `ferrite: ${this.name}: model() needs {inputs, outputs} (symbolic tensors from input() and layer.apply())`,
      );
    }
    this.singleInput = !Array.isArray(inputs);
    this.singleOutput = !Array.isArray(outputs);
    const ins = Array.isArray(inputs) ? inputs : [inputs];
    const outs = Array.isArray(outputs) ? outputs : [outputs];
    this.plan = new GraphPlan(this.name, ins, outs);
    this.built = true;
  }

  /**
   * The graph, building it first if the model defers that (Sequential without input shape).
   *
   * @internal
   */
  graph(sampleShapes?: readonly (readonly number[])[], dtypes?: readonly DataType[]): GraphPlan {
    if (this.plan === null) this.buildDeferred(sampleShapes, dtypes);
    return this.plan!;
  }

  /** Sequential overrides this to build once the input shape is known. */
  protected buildDeferred(_shapes?: readonly (readonly number[])[], _dtypes?: readonly DataType[]): void {
    throw new Error(`ferrite: ${this.name}: the model has no graph yet`);
  }

  get isGraphBuilt(): boolean {
    return this.plan !== null;
  }

  /** The symbolic inputs of the model. */
  get inputs(): SymbolicTensor[] {
    return this.graph().inputs;
  }

  /** The symbolic outputs of the model. */
  get outputs(): SymbolicTensor[] {
    return this.graph().outputs;
  }

  /** The model's output: one symbolic tensor, or a list when made with a list. */
  override get output(): SymbolicTensor | SymbolicTensor[] {
    return this.singleOutput ? this.outputs[0] : this.outputs;
  }

  override get input(): SymbolicTensor | SymbolicTensor[] {
    return this.singleInput ? this.inputs[0] : this.inputs;
  }

  /** The InputLayers the inputs come from. */
  get inputLayers(): InputLayer[] {
    return this.graph().inputLayers;
  }

  /** The layers that produce the outputs. */
  get outputLayers(): Layer[] {
    return this.graph().outputLayers;
  }

  /** The inputs' names (what `fit` and `predict` accept as keys of an object of tensors). */
  get inputNames(): string[] {
    return this.inputs.map((t) => t.name);
  }

  /** The outputs' names (keys for per-output losses, metrics and targets). */
  get outputNames(): string[] {
    return this.outputs.map((t) => t.name);
  }

  /** Layers in order (for a functional model, input layers first, as in Keras). */
  get layers(): Layer[] {
    return this.plan === null ? [] : [...this.plan.layers];
  }

  /**
   * A layer by name, or by index in `layers`.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 4, inputShape: [2], name: 'hidden' })] });
   * m.getLayer('hidden').countParams(); // 12
   * m.getLayer(0).name; // 'hidden'
   * ```
   */
  getLayer(name?: string | number, index?: number): Layer {
    const layers = this.layers;
    if (typeof name === 'number') index = name;
    else if (name !== undefined) {
      const found = layers.find((l) => l.name === name);
      if (!found)
        throw new Error(
          `ferrite: ${this.name}: no layer named '${name}' (layers: ${layers.map((l) => l.name).join(', ')})`,
        );
      return found;
    }
    if (index === undefined) throw new Error(`ferrite: ${this.name}: getLayer needs a name or an index`);
    if (!Number.isInteger(index) || index < 0 || index >= layers.length) {
      throw new Error(
        `ferrite: ${this.name}: layer index ${index} is out of range (the model has ${layers.length} layers)`,
      );
    }
    return layers[index];
  }

  // ---- as a layer ----

  override get layerWeights(): readonly LayerWeight[] {
    const out: LayerWeight[] = [];
    const seen = new Set<number>();
    for (const l of this.layers) {
      for (const w of l.layerWeights) {
        if (!seen.has(w.variable.id)) {
          seen.add(w.variable.id);
          out.push(w);
        }
      }
    }
    return out;
  }

  override get trainable(): boolean {
    return super.trainable;
  }

  /**
   * Keras's (and TF.js's) rule for containers: a frozen model trains none of its weights,
   * whatever its inner layers say, so unfreezing an inner layer of a frozen model changes
   * nothing until the model itself is unfrozen.
   */
  override get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    const seen = new Set<number>();
    return this.layers.flatMap((l) => l.trainableWeights).filter((v) => !seen.has(v.id) && seen.add(v.id) !== null);
  }

  override get nonTrainableWeights(): Variable[] {
    const trainable = new Set(this.trainableWeights.map((v) => v.id));
    return this.weights.filter((v) => !trainable.has(v.id));
  }

  /** Freezes (or unfreezes) every layer of the model. */
  override set trainable(value: boolean) {
    super.trainable = value;
    for (const l of this.layers) l.trainable = value;
  }

  override countParams(): number {
    let n = 0;
    for (const w of this.weights) n += w.size;
    return n;
  }

  override regularizationLosses(): Tensor[] {
    return this.layers.flatMap((l) => l.regularizationLosses());
  }

  protected override namePrefix(): string {
    return (this.constructor as typeof Layer).className === 'Model' ? 'model' : super.namePrefix();
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor | Tensor[] {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    const outs = this.execute(xs, kwargs);
    return this.singleOutput ? outs[0] : outs;
  }

  /**
   * Runs the model on concrete inputs (one per model input), checking them first.
   * `preActivation[k]` asks for output k before its final activation (logits);
   * `outputMasks` receives each output's mask (null where none).
   *
   * @internal
   */
  execute(
    xs: readonly Tensor[],
    kwargs: CallKwargs,
    preActivation?: readonly boolean[],
    outputMasks?: (Tensor | null)[],
  ): Tensor[] {
    this.assertAlive();
    const plan = this.graph(
      xs.map((x) => x.shape),
      xs.map((x) => x.dtype),
    );
    if (xs.length !== plan.inputs.length) {
      throw new Error(`ferrite: ${this.name}: expects ${plan.inputs.length} input tensor(s), got ${xs.length}`);
    }
    xs.forEach((x, i) => checkAgainstInput(this.name, 'input', x, plan.inputs[i], i, xs.length));
    // TF.js casts an input of another numeric dtype to the model input's (int32 pixels or
    // ids into a float32 model, float32 ids into an int32 Embedding input).
    const casts: Tensor[] = [];
    const ins = xs.map((x, i) => {
      if (x.dtype === plan.inputs[i].dtype) return x;
      const c = cast(x, plan.inputs[i].dtype);
      casts.push(c);
      return c;
    });
    const outs = plan.execute(ins, kwargs, preActivation, outputMasks);
    // Under a tape the backward pass still needs them: the enclosing scope frees them then.
    if (!isRecording()) for (const c of casts) if (!outs.includes(c)) c.dispose();
    return outs;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const first = (Array.isArray(inputShape[0]) ? (inputShape as SymbolicShape[])[0] : inputShape) as SymbolicShape;
    const batch = first[0] ?? null;
    const shapes = this.outputs.map((t) => [batch, ...t.shape.slice(1)]);
    return this.singleOutput ? shapes[0] : shapes;
  }

  override computeOutputDtype(inputDtype: DataType): DataType {
    return this.plan === null ? inputDtype : this.outputs[0].dtype;
  }

  /**
   * The graph as Keras's functional config: each layer's class, config and inbound
   * nodes, each inbound tensor named [layer, node index within this model, output index, kwargs].
   * A nested model's node indices count, as in TF.js and Keras, its own graph as node 0
   * (so its first call in this model is node 1): their loaders resolve them that way.
   */
  override getConfig(): LayerConfig {
    const plan = this.graph();
    const inModel = new Set<Node>([...plan.nodes, ...plan.inputLayers.map((l) => l.inboundNodes[0])]);
    const nodesOf = (l: Layer) => l.inboundNodes.filter((n) => inModel.has(n));
    const ref = (t: SymbolicTensor) => [
      t.sourceLayer.name,
      nodesOf(t.sourceLayer).indexOf(t.node) + ownNodes(t.sourceLayer),
      t.outputIndex,
    ];
    return {
      name: this.name,
      layers: plan.layers.map((l) => ({
        className: l.getClassName(),
        name: l.name,
        config: l.getConfig(),
        inboundNodes:
          l instanceof InputLayer ? [] : nodesOf(l).map((n) => n.inputs.map((t) => [...ref(t), { ...n.kwargs }])),
      })),
      inputLayers: plan.inputs.map(ref),
      outputLayers: plan.outputs.map(ref),
    };
  }

  /** Rebuilds a functional model (new layers, new weights) from `getConfig()`'s output. */
  static override fromConfig(config: LayerConfig): LayersModel {
    type Ref = [string, number, number, Record<string, unknown>?];
    const layerConfigs = (config.layers ?? []) as {
      className: string;
      name: string;
      config: LayerConfig;
      inboundNodes: Ref[][];
    }[];
    const layers = new Map<string, Layer>();
    const outputs = new Map<string, SymbolicTensor[][]>();
    const pending: { layer: Layer; inputs: Ref[] }[] = [];
    for (const lc of layerConfigs) {
      const layer = deserialize<Layer>({ className: lc.className, config: { ...lc.config, name: lc.name } }, 'layer');
      layers.set(lc.name, layer);
      if (layer instanceof InputLayer) {
        outputs.set(lc.name, [[layer.output]]);
        continue;
      }
      // A nested model's node 0 is its own graph, which nothing outside it reads.
      if (ownNodes(layer) === 1) outputs.set(lc.name, [[]]);
      for (const inputs of lc.inboundNodes ?? []) pending.push({ layer, inputs });
    }
    const lookup = (r: Ref): SymbolicTensor | undefined => outputs.get(r[0])?.[r[1]]?.[r[2]];
    // Apply nodes in order, deferring those whose inputs come from later nodes (shared layers).
    while (pending.length > 0) {
      const i = pending.findIndex((p) => p.inputs.every((r) => lookup(r) !== undefined));
      if (i < 0)
        throw new Error(
          `ferrite: model config: cannot connect layer '${pending[0].layer.name}': its inputs never appear`,
        );
      const [{ layer, inputs }] = pending.splice(i, 1);
      const ins = inputs.map((r) => lookup(r)!);
      const kwargs = inputs[0]?.[3] ?? {};
      const out = layer.apply(ins.length === 1 ? ins[0] : ins, kwargs) as SymbolicTensor | SymbolicTensor[];
      const list = outputs.get(layer.name) ?? [];
      list.push(Array.isArray(out) ? out : [out]);
      outputs.set(layer.name, list);
    }
    const resolve = (refs: Ref[], what: string) =>
      refs.map((r) => {
        const t = lookup(r);
        if (!t) throw new Error(`ferrite: model config: ${what} ${JSON.stringify(r)} is not in the graph`);
        return t;
      });
    const ins = resolve((config.inputLayers ?? []) as Ref[], 'input');
    const outs = resolve((config.outputLayers ?? []) as Ref[], 'output');
    return new LayersModel({
      inputs: ins.length === 1 ? ins[0] : ins,
      outputs: outs.length === 1 ? outs[0] : outs,
      name: config.name as string | undefined,
    });
  }

  // ---- Keras's model API ----

  /**
   * Prints a table of the layers, output shapes and parameter counts (Keras's summary).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 10, inputShape: [784] })] });
   * m.summary(); // Layer (type) | Output Shape | Param #, one row per layer, then the totals (7,850)
   * ```
   */
  summary(lineLength?: number, positions?: number[], printFn: (line: string) => void = console.log): void {
    printSummary(this, { lineLength, positions, printFn });
  }

  /**
   * Sets the optimizer, the loss(es) and the metrics for fit / evaluate.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
   * m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
   * m.metricsNames; // ['loss', 'acc']
   * ```
   */
  compile(args: ModelCompileArgs): void {
    this.assertAlive();
    // The running fit holds the current optimizer and losses; replacing them under it would
    // dispose an optimizer it still uses.
    if (this.isTraining)
      throw new Error(`ferrite: ${this.name}: compile: the model is training (await the running fit, then compile)`);
    const previous = this.compiled;
    this.compiled = compileModel(this, args);
    // An optimizer the previous compile made from a name is not reachable any more.
    if (previous !== null && previous.optimizer !== this.compiled.optimizer) previous.dispose();
  }

  /** The optimizer given to compile. */
  get optimizer(): CompiledState['optimizer'] | undefined {
    return this.compiled?.optimizer;
  }

  /** Names of what evaluate returns and fit logs: 'loss', then the metrics. */
  get metricsNames(): string[] {
    return this.compiled?.metricsNames ?? [];
  }

  /**
   * Trains for a number of epochs; resolves to the History of per-epoch logs.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
   * m.compile({ optimizer: fe.train.sgd(0.1), loss: 'meanSquaredError' });
   * const xs = fe.tensor2d([[0], [1], [2], [3]]);
   * const history = await m.fit(xs, xs.mul(2).add(1), { epochs: 50, batchSize: 4, verbose: 0 });
   * history.history.loss.length; // 50, falling towards 0
   * ```
   */
  async fit(x: ModelData, y: ModelData, args: ModelFitArgs = {}): Promise<History> {
    this.assertAlive('fit');
    return fitModel(this, requireCompiled(this.name, this.compiled, 'fit'), x, y, args);
  }

  /**
   * Trains on a Dataset of batches (`{xs, ys}` or `[xs, ys]` elements), like TF.js's
   * fitDataset; each batch's tensors are disposed after its step.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const rows = [{ xs: [0, 1], ys: [1] }, { xs: [1, 0], ys: [1] }, { xs: [1, 1], ys: [2] }];
   * const ds = fe.data.array(rows).map((r) => ({ xs: fe.tensor1d(r.xs), ys: fe.tensor1d(r.ys) })).batch(2);
   * const history = await m.fitDataset(ds, { epochs: 3, verbose: 0 });
   * history.history.loss.length; // 3
   * ```
   */
  async fitDataset<T>(dataset: Dataset<T>, args: ModelFitDatasetArgs<T>): Promise<History> {
    this.assertAlive('fitDataset');
    return fitDatasetModel(this, requireCompiled(this.name, this.compiled, 'fitDataset'), dataset, args);
  }

  /**
   * Loss (and metrics) over a Dataset of batches, like TF.js's evaluateDataset.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const xs = fe.data.array([[0, 1], [1, 0]]).map((r) => fe.tensor1d(r));
   * const ds = fe.data.zip({ xs, ys: fe.data.array([[1], [1]]).map((r) => fe.tensor1d(r)) }).batch(2);
   * (await m.evaluateDataset(ds) as fe.Tensor).print(); // the mean squared error, a scalar
   * ```
   */
  async evaluateDataset<T>(dataset: Dataset<T>, args: ModelEvaluateDatasetArgs = {}): Promise<Tensor | Tensor[]> {
    this.assertAlive('evaluateDataset');
    return evaluateDatasetModel(this, requireCompiled(this.name, this.compiled, 'evaluateDataset'), dataset, args);
  }

  /**
   * Loss (and metrics) over x, y: a scalar tensor, or one per name in metricsNames.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })] });
   * m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
   * const x = fe.tensor2d([[1, 0], [0, 1]]);
   * const [loss, acc] = m.evaluate(x, fe.tensor2d([[1, 0], [0, 1]])) as fe.Tensor[];
   * acc.print(); // the fraction of rows whose argmax is right: 0, 0.5 or 1
   * ```
   */
  evaluate(x: ModelData, y: ModelData, args: ModelEvaluateArgs = {}): Tensor | Tensor[] {
    this.assertAlive('evaluate');
    return evaluateModel(this, requireCompiled(this.name, this.compiled, 'evaluate'), x, y, args);
  }

  /**
   * Outputs for x, computed in batches (inference mode: no dropout). `verbose: 1` prints
   * Keras's progress bar (TF.js prints nothing), `verbose: 2` one line at the end.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
   * const probs = m.predict(fe.randomNormal([5, 4])) as fe.Tensor; // [5, 3], rows sum to 1
   * probs.argMax(-1).shape; // [5]: the predicted classes
   * m.predict(fe.randomNormal([256, 4]), { batchSize: 128, verbose: 1 }); // prints Keras's progress: 2/2 [==============================] - 0s 1ms/step
   * ```
   */
  predict(x: ModelData, args: ModelPredictArgs = {}): Tensor | Tensor[] {
    this.assertAlive('predict');
    return predictModel(this, x, args);
  }

  /**
   * Outputs for x as one batch.
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, inputShape: [4] })] });
   * (m.predictOnBatch(fe.ones([8, 4])) as fe.Tensor).shape; // [8, 3]
   * ```
   */
  predictOnBatch(x: ModelData): Tensor | Tensor[] {
    return predictModel(this, x, { batchSize: Number.MAX_SAFE_INTEGER });
  }

  /**
   * One training step on x, y as a batch; the loss, or [loss, ...metrics].
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
   * m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
   * const loss = await m.trainOnBatch(fe.tensor2d([[1, 2], [3, 4]]), fe.tensor2d([[1], [2]]));
   * typeof loss; // 'number': the batch's loss before the step
   * ```
   */
  async trainOnBatch(x: ModelData, y: ModelData): Promise<number | number[]> {
    this.assertAlive('trainOnBatch');
    return trainOnBatchModel(this, requireCompiled(this.name, this.compiled, 'trainOnBatch'), x, y);
  }

  /**
   * Saves the model in TF.js's format through a handler or to a URL (`file://dir`,
   * `localstorage://name`, `indexeddb://name`, `downloads://name`, `http(s)://...`).
   *
   * @example
   * ```ts no-run
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [3] })] });
   * await m.save('file://./my-model'); // Node: my-model/model.json + weights.bin
   * const again = await fe.loadLayersModel('file://./my-model/model.json');
   * ```
   */
  async save(handlerOrURL: IOHandler | string, config?: SaveConfig): Promise<SaveResult> {
    return saveModel(this, handlerOrURL, config);
  }

  /**
   * The model's topology as TF.js's `model.toJSON()`: a JSON string, or with
   * `returnString` false the object (which `models.modelFromJSON` takes back).
   *
   * @example
   * ```ts
   * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [3] })] });
   * const json = m.toJSON() as string; // '{"class_name":"Sequential","config":{...}}'
   * const copy = await fe.models.modelFromJSON(JSON.parse(json)); // same layers, new weights
   * ```
   */
  toJSON(unused?: unknown, returnString = true): string | object {
    const topology = modelTopology(this);
    return returnString ? JSON.stringify(topology) : topology;
  }

  /** Whether outputs are returned as one tensor (the model was made with one output). */
  get hasSingleOutput(): boolean {
    return this.singleOutput;
  }

  /** True when the model was made with one input (not a list). */
  get hasSingleInput(): boolean {
    return this.singleInput;
  }

  override dispose(): {
    /** Always 0: a layer is not shared by reference count here. */
    refCountAfterDispose: number;
    /** How many weight variables this call freed. */
    numDisposedVariables: number;
  } {
    if (this.isDisposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    let n = 0;
    for (const l of this.layers) n += l.dispose().numDisposedVariables;
    this.compiled?.dispose();
    this.compiled = null;
    super.dispose();
    return { refCountAfterDispose: 0, numDisposedVariables: n };
  }
}
registerClass(LayersModel);

/**
 * The functional API: a model from symbolic inputs to outputs, like `tf.model`.
 *
 * @example
 * ```ts
 * const input = fe.input({ shape: [784] });
 * const hidden = fe.layers.dense({ units: 64, activation: 'relu' }).apply(input) as fe.SymbolicTensor;
 * const output = fe.layers.dense({ units: 10, activation: 'softmax' }).apply(hidden) as fe.SymbolicTensor;
 * const m = fe.model({ inputs: input, outputs: output });
 * m.outputs[0].shape; // [null, 10]
 * ```
 */
export function model(args: ModelArgs): LayersModel {
  if (args === undefined || typeof args !== 'object') throw new Error('ferrite: model() needs {inputs, outputs}');
  return new LayersModel(args);
}

/**
 * Nodes a layer has before any call in an enclosing model: a model has one, its own
 * graph (TF.js and Keras number a nested model's calls from 1 in saved topologies).
 */
function ownNodes(layer: Layer): number {
  return layer instanceof LayersModel ? 1 : 0;
}
