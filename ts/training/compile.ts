// model.compile(): resolves the optimizer, the loss of each output and the metrics, and
// decides where the fused softmax cross-entropy applies. The result is what the
// training step and evaluation run.

import type { Tensor, Variable } from '../tensor/tensor.js';
import type { Layer } from '../layers/layer.js';
import { getLoss } from '../losses/resolve.js';
import { nameKey } from '../serialization/registry.js';
import { Accuracy, type Metric } from '../metrics/metric.js';
import { getMetric, metricLogName } from '../metrics/resolve.js';
import { getOptimizer, Optimizer } from '../optimizers/index.js';
import type { ModelGraph, TrainableModel } from './trainable-model.js';

/**
 * A loss or metric as a function of targets and predictions: per-sample values, or a scalar.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * const huberish = (yTrue: fe.Tensor, yPred: fe.Tensor) => fe.log(fe.cosh(yPred.sub(yTrue))).mean(-1);
 * m.compile({ optimizer: 'adam', loss: huberish, metrics: [huberish] });
 * ```
 */
export type LossOrMetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;
/**
 * A loss: its name ('meanSquaredError', 'categoricalCrossentropy', ...) or a function (yTrue, yPred) => Tensor.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * m.compile({ optimizer: 'sgd', loss: 'meanAbsoluteError' }); // by name
 * m.compile({ optimizer: 'sgd', loss: fe.losses.huberLoss }); // or a function
 * ```
 */
export type LossIdentifier = string | LossOrMetricFn;
/**
 * A metric name ('accuracy', 'precision', ...), a function (yTrue, yPred) => Tensor, or a Metric object.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [3] })] });
 * m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy', fe.metrics.precision] });
 * m.metricsNames; // ['loss', 'acc', 'precision']
 * ```
 */
export type MetricIdentifier = string | LossOrMetricFn | Metric;

/**
 * The arguments of `model.compile` (TF.js's ModelCompileArgs): optimizer, loss and metrics.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 10, activation: 'softmax', inputShape: [784] })] });
 * m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
 * ```
 */
export interface ModelCompileArgs {
  /**
   * An optimizer or its name ('adam', 'sgd', 'rmsprop', ...). Who disposes it (as in
   * TF.js): one made from a name belongs to the model and goes with `model.dispose()` (or
   * the next compile); one you pass stays yours, with its slots (Adam's moments), until you
   * call its `dispose()`, so that several models may share it.
   */
  optimizer: string | Optimizer;
  /** One loss for all outputs, one per output (array), or by output name. */
  loss: LossIdentifier | LossIdentifier[] | Record<string, LossIdentifier>;
  /** Metrics for every output, per output (array of arrays), or by output name. */
  /**
   * Keras's loss_weights: the training loss is the sum of the outputs' losses times these
   * (one per output, or by output name; default 1). Logged per-output losses are unweighted.
   * TF.js accepts the option but ignores it.
   */
  lossWeights?: number[] | Record<string, number>;
  /** Metrics for every output, per output (array of arrays), or by output name. */
  metrics?:
    | MetricIdentifier
    | MetricIdentifier[]
    | MetricIdentifier[][]
    | Record<string, MetricIdentifier | MetricIdentifier[]>;
}

/** How an output's loss is computed. */
export type LossPath = 'plain' | 'fusedCategorical' | 'fusedSparse' | 'fusedBinary';

export interface CompiledMetric {
  /** Key in the logs ('acc' for 'accuracy', as TF.js; prefixed by the output's name in multi-output models). */
  readonly name: string;
  /** Aggregates over an epoch (reset at each epoch and each evaluation). */
  readonly metric: Metric;
}

export interface CompiledOutput {
  readonly index: number;
  /** The output's name (its layer), used to prefix logs of multi-output models. */
  readonly outputName: string;
  /** Canonical loss key ('categoricalcrossentropy') or the function's name. */
  readonly lossKey: string;
  readonly lossFn: LossOrMetricFn;
  /** A loss of the library (targets can be checked against the output); false for custom functions. */
  readonly builtinLoss: boolean;
  /** Integer class labels (sparse categorical cross-entropy). */
  readonly sparseLabels: boolean;
  /** Fused paths compute the loss from the logits (the output before its softmax / sigmoid). */
  readonly path: LossPath;
  /** The weight of this output's loss in the training loss. */
  readonly lossWeight: number;
  /** Log key of this output's loss in a multi-output model ('dense_3_loss'). */
  readonly lossLogName: string;
  readonly metrics: CompiledMetric[];
  /**
   * Whether the metrics can read the logits of a fused output as they are (argmax-based
   * accuracies), saving a softmax per batch.
   */
  readonly metricsTakeLogits: boolean;
}

const CATEGORICAL_CE = 'categoricalcrossentropy';
const SPARSE_CE = 'sparsecategoricalcrossentropy';
const BINARY_CE = 'binarycrossentropy';

function safeGetLoss(key: string): LossOrMetricFn | null {
  try {
    return getLoss(key);
  } catch {
    return null;
  }
}

/** The canonical key of a loss identifier, recognising the library's own functions. */
function lossKeyOf(id: LossIdentifier): string {
  if (typeof id === 'string') return nameKey(id);
  for (const k of [CATEGORICAL_CE, SPARSE_CE, BINARY_CE]) if (safeGetLoss(k) === id) return k;
  return nameKey(id.name || 'custom');
}

/**
 * What compile fixes of the layers' `trainable` flags: as in Keras (and TF.js), flipping
 * `trainable` after compile takes effect at the next compile. So a GAN's discriminator,
 * compiled on its own and then frozen before the combined model is compiled, trains in
 * its own steps and stays fixed in the combined model's.
 */
export interface TrainableSnapshot {
  /** The weights training updates. */
  readonly variables: Variable[];
  /** Layers frozen at compile (a frozen BatchNormalization runs in inference mode while training). */
  readonly frozenLayers: ReadonlySet<Layer>;
}

/**
 * The layers of a model that are frozen, descending into nested models: a layer inside a
 * frozen model is frozen whatever its own flag says (Keras's rule for containers).
 */
function frozenLayersOf(model: Layer): Set<Layer> {
  const frozen = new Set<Layer>();
  const visit = (l: Layer, ancestorFrozen: boolean): void => {
    const isFrozen = ancestorFrozen || !l.trainable;
    if (isFrozen) frozen.add(l);
    const inner = (l as { layers?: unknown }).layers;
    if (l !== model && Array.isArray(inner)) for (const c of inner as Layer[]) visit(c, isFrozen);
  };
  for (const l of (model as { layers?: Layer[] }).layers ?? []) visit(l, !model.trainable);
  return frozen;
}

export function snapshotTrainable(model: TrainableModel): TrainableSnapshot {
  return { variables: model.trainableWeights, frozenLayers: frozenLayersOf(model) };
}

export class CompiledState {
  readonly optimizer: Optimizer;
  private readonly ownsOptimizer: boolean;
  private resolved: CompiledOutput[] | null = null;
  /** The graph `resolved` was made for (a Sequential model may grow after compile). */
  private resolvedFor: ModelGraph | null = null;
  private snapshot: TrainableSnapshot | null = null;

  constructor(
    private readonly model: TrainableModel,
    readonly args: ModelCompileArgs,
  ) {
    if (typeof args.optimizer === 'string') {
      this.optimizer = getOptimizer(args.optimizer);
      this.ownsOptimizer = true;
    } else if (args.optimizer instanceof Optimizer) {
      this.optimizer = args.optimizer;
      this.ownsOptimizer = false;
    } else {
      throw new Error(
        `ferrite: ${model.name}: compile: optimizer must be a name ('adam', 'sgd', ...) or an Optimizer, got ${String(args.optimizer)}`,
      );
    }
    // Validate names now (errors at compile, not at fit) when the graph is known.
    if (model.isGraphBuilt) this.outputs();
  }

  /** Per-output loss and metrics; resolved once the model's outputs are known. */
  outputs(): CompiledOutput[] {
    const plan = this.model.graph();
    if (this.resolved === null || this.resolvedFor !== plan) {
      this.resolved = resolveOutputs(this.model, this.args);
      this.resolvedFor = plan;
      // Taken with the graph: at compile, or when a model without input shape is built.
      this.snapshot = snapshotTrainable(this.model);
    }
    return this.resolved;
  }

  /** The trainable weights and frozen layers as they were at compile. */
  trainableSnapshot(): TrainableSnapshot {
    this.outputs();
    return this.snapshot!;
  }

  /** 'loss', then per-output losses (several outputs), then metric names. */
  get metricsNames(): string[] {
    if (!this.model.isGraphBuilt) {
      // Sequential before its first call: one output.
      return ['loss', ...metricNamesFor(this.args.metrics, ['output'], 1).flat()];
    }
    const outs = this.outputs();
    const names = ['loss'];
    if (outs.length > 1) for (const o of outs) names.push(o.lossLogName);
    for (const o of outs) for (const m of o.metrics) names.push(m.name);
    return names;
  }

  /** Every metric object, to reset them together. */
  resetMetrics(): void {
    for (const o of this.outputs()) for (const m of o.metrics) m.metric.reset();
  }

  /** Number of loss entries at the start of `metricsNames` (1, or 1 + outputs). */
  get numLossValues(): number {
    const n = this.outputs().length;
    return n > 1 ? n + 1 : 1;
  }

  dispose(): void {
    if (this.ownsOptimizer) this.optimizer.dispose();
  }
}

/** A model's compiled state, or an error saying that `op` needs compile first. */
export function requireCompiled(model: string, compiled: CompiledState | null, op: string): CompiledState {
  if (compiled === null) {
    throw new Error(
      `ferrite: ${model}: ${op}: the model is not compiled; call model.compile({optimizer, loss, metrics}) first`,
    );
  }
  return compiled;
}

export function compileModel(model: TrainableModel, args: ModelCompileArgs): CompiledState {
  if (args === undefined || typeof args !== 'object')
    throw new Error(`ferrite: ${model.name}: compile() needs {optimizer, loss, metrics?}`);
  if (args.loss === undefined)
    throw new Error(`ferrite: ${model.name}: compile() needs a loss (e.g. 'categoricalCrossentropy')`);
  return new CompiledState(model, args);
}

/** Spreads a per-model / per-output / by-name spec into one entry per output. */
function perOutput<T>(
  what: string,
  model: string,
  spec: T | T[] | Record<string, T>,
  names: string[],
  isItem: (x: unknown) => boolean,
  missing?: T,
): T[] {
  if (isItem(spec)) return names.map(() => spec as T);
  if (Array.isArray(spec)) {
    if (spec.length !== names.length)
      throw new Error(`ferrite: ${model}: compile: ${what} has ${spec.length} entries for ${names.length} outputs`);
    return spec;
  }
  const dict = spec as Record<string, T>;
  for (const k of Object.keys(dict)) {
    if (!names.includes(k))
      throw new Error(
        `ferrite: ${model}: compile: ${what} names output '${k}', but the outputs are ${names.join(', ')}`,
      );
  }
  return names.map((n) => {
    if (!(n in dict) && missing !== undefined) return missing;
    if (!(n in dict)) throw new Error(`ferrite: ${model}: compile: ${what} has no entry for output '${n}'`);
    return dict[n];
  });
}

const isLossItem = (x: unknown): boolean => typeof x === 'string' || typeof x === 'function';
const isMetricItem = (x: unknown): boolean =>
  isLossItem(x) ||
  (x !== null &&
    typeof x === 'object' &&
    typeof (x as Metric).update === 'function' &&
    typeof (x as Metric).result === 'function');

/** Metric identifiers for each output. */
function metricSpecs(metrics: ModelCompileArgs['metrics'], names: string[], model = 'model'): MetricIdentifier[][] {
  if (metrics === undefined || metrics === null) return names.map(() => []);
  if (isMetricItem(metrics)) return names.map(() => [metrics as MetricIdentifier]);
  if (Array.isArray(metrics)) {
    if (metrics.length > 0 && metrics.every((m) => Array.isArray(m))) {
      return perOutput<MetricIdentifier[]>('metrics', model, metrics as MetricIdentifier[][], names, () => false);
    }
    return names.map(() => metrics as MetricIdentifier[]);
  }
  // By output name: outputs left out get no metrics.
  return perOutput<MetricIdentifier | MetricIdentifier[]>(
    'metrics',
    model,
    metrics as Record<string, MetricIdentifier[]>,
    names,
    () => false,
    [],
  ).map((m) => (Array.isArray(m) ? m : [m]));
}

function metricName(id: MetricIdentifier): string {
  return typeof id === 'string' ? metricLogName(id) : id.name || 'metric';
}

/** One loss weight per output (1 where none is given). */
function lossWeightsFor(model: string, spec: ModelCompileArgs['lossWeights'], names: string[]): number[] {
  if (spec === undefined || spec === null) return names.map(() => 1);
  if (typeof spec !== 'object')
    throw new Error(
      `ferrite: ${model}: compile: lossWeights must be an array or an object by output name, got ${typeof spec}`,
    );
  const weights = perOutput<number>('lossWeights', model, spec, names, () => false, 1);
  weights.forEach((w, k) => {
    if (typeof w !== 'number' || !Number.isFinite(w))
      throw new Error(
        `ferrite: ${model}: compile: lossWeights for output '${names[k]}' must be a finite number, got ${w}`,
      );
  });
  return weights;
}

/** Only these read predictions through an argmax, which logits and probabilities share. */
function readsArgmaxOnly(m: Metric): boolean {
  return m instanceof Accuracy && (m.kind === 'categorical' || m.kind === 'sparseCategorical');
}

function metricNamesFor(metrics: ModelCompileArgs['metrics'], names: string[], count: number): string[][] {
  return metricSpecs(metrics, names).map((ms) =>
    ms.map((m) => (count > 1 ? `${names[0]}_${metricName(m)}` : metricName(m))),
  );
}

function resolveOutputs(model: TrainableModel, args: ModelCompileArgs): CompiledOutput[] {
  const plan = model.graph();
  const names = plan.outputs.map((t) => t.name);
  const multi = names.length > 1;
  const losses = perOutput<LossIdentifier>('loss', model.name, args.loss as LossIdentifier, names, isLossItem);
  const metrics = metricSpecs(args.metrics, names, model.name);
  const weights = lossWeightsFor(model.name, args.lossWeights, names);
  const usedNames = new Set<string>(['loss']);
  return plan.outputs.map((out, k) => {
    const lossId = losses[k];
    let lossFn: LossOrMetricFn;
    if (typeof lossId === 'function') lossFn = lossId;
    else {
      try {
        lossFn = getLoss(lossId);
      } catch (e) {
        throw new Error(`ferrite: ${model.name}: compile: ${(e as Error).message.replace(/^ferrite: /, '')}`);
      }
    }
    const lossKey = lossKeyOf(lossId);
    const sparseLabels = lossKey === SPARSE_CE;
    let path: LossPath = 'plain';
    if ((lossKey === CATEGORICAL_CE || lossKey === SPARSE_CE) && plan.canSplitOutputActivation(k, 'softmax')) {
      path = sparseLabels ? 'fusedSparse' : 'fusedCategorical';
    } else if (lossKey === BINARY_CE && plan.canSplitOutputActivation(k, 'sigmoid')) {
      path = 'fusedBinary';
    }
    const prefix = multi ? `${names[k]}_` : '';
    const compiledMetrics = metrics[k].map((m) => {
      let name = prefix + metricName(m);
      // Two metrics with one name (e.g. two custom lambdas): number them as Keras does.
      for (let n = 1; usedNames.has(name); n++) name = `${prefix}${metricName(m)}_${n}`;
      usedNames.add(name);
      let metric: Metric;
      try {
        metric = getMetric(m, typeof lossId === 'string' ? lossId : lossKey, out.shape);
      } catch (e) {
        throw new Error(
          `ferrite: ${model.name}: compile: ${(e as Error).message.replace(/^ferrite: (getMetric: )?/, '')}`,
        );
      }
      return { name, metric };
    });
    const metricsTakeLogits =
      (path === 'fusedSparse' || path === 'fusedCategorical') &&
      compiledMetrics.every((m) => readsArgmaxOnly(m.metric));
    return {
      index: k,
      outputName: names[k],
      lossKey,
      lossFn,
      builtinLoss: typeof lossId === 'string' || lossFn === safeGetLoss(lossKey),
      sparseLabels,
      path,
      lossWeight: weights[k],
      lossLogName: `${names[k]}_loss`,
      metrics: compiledMetrics,
      metricsTakeLogits,
    };
  });
}
