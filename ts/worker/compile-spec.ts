// Compile settings as plain data, so a worker can compile its copy of the model the way
// the caller compiled (or wants to compile) it: the optimizer by class name and config,
// losses and metrics by name. Functions cannot cross to another thread; a custom loss is
// refused here, in the caller's thread, with a message saying so.

import type { LayersModel } from '../models/layers-model.js';
import { Optimizer, optimizerFromConfig, type OptimizerConfig } from '../optimizers/index.js';
import type { ModelCompileArgs } from '../training/compile.js';

/**
 * An optimizer as data: `{className: 'Adam', config: {learningRate: 0.001, ...}}`.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [1] })] });
 * const compile = { optimizer: { className: 'Adam', config: { learningRate: 0.01 } }, loss: 'meanSquaredError' };
 * const trainer = await fe.worker.create(m, { compile });
 * trainer.terminate();
 * ```
 */
export interface OptimizerSpec {
  /** The optimizer's class name ('Adam', 'SGD', ...). */
  className: string;
  /** Its hyperparameters (as `getConfig()` returns them). */
  config: OptimizerConfig;
}

/** `model.compile` arguments that can be sent to a worker (names, not functions). */
export interface CompileSpec {
  /** The optimizer's name, or its class and config. */
  optimizer: string | OptimizerSpec;
  /** One loss name, or one per output. */
  loss: string | string[];
  /** Metric names for every output, or one list per output. */
  metrics?: string[] | string[][];
  /** One weight per output (absent when all are 1). */
  lossWeights?: number[];
}

/**
 * What `worker.create(model, {compile})` accepts: `model.compile`'s arguments where the
 * optimizer is a name, an Optimizer (sent as its class and config) or an OptimizerSpec,
 * and losses and metrics are names.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
 * const trainer = await fe.worker.create(m, { compile: { optimizer: fe.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] } });
 * trainer.metricsNames; // ['loss', 'acc']
 * trainer.terminate();
 * ```
 */
export interface WorkerCompileArgs {
  /** The optimizer: a name, an Optimizer (sent as its class and config) or its class and config. */
  optimizer: string | Optimizer | OptimizerSpec;
  /** One loss name, or one per output. */
  loss: string | string[];
  /** Metric names for every output, or one list per output. */
  metrics?: string | string[] | string[][];
}

const WHAT = 'worker.create';

function optimizerSpec(opt: unknown): string | OptimizerSpec {
  if (typeof opt === 'string') return opt;
  if (opt instanceof Optimizer) return { className: opt.getClassName(), config: opt.getConfig() };
  if (opt !== null && typeof opt === 'object' && typeof (opt as OptimizerSpec).className === 'string') {
    const { className, config } = opt as OptimizerSpec;
    return { className, config: { ...(config ?? {}) } };
  }
  throw new Error(
    `ferrite: ${WHAT}: compile.optimizer must be a name ('adam'), an Optimizer (train.adam(1e-3)) or {className, config}, got ${String(opt)}`,
  );
}

function nameOf(what: string, id: unknown): string {
  if (typeof id === 'string') return id;
  const kind = typeof id === 'function' ? 'a function' : typeof id;
  throw new Error(
    `ferrite: ${WHAT}: compile.${what} must be given by name to train in a worker (functions cannot be sent to another thread), got ${kind}. ` +
      "Use a built-in name (e.g. 'sparseCategoricalCrossentropy', 'accuracy').",
  );
}

/** Checks and converts the caller's compile arguments into a CompileSpec. */
export function compileSpecFromArgs(args: WorkerCompileArgs): CompileSpec {
  if (args === null || typeof args !== 'object')
    throw new Error(`ferrite: ${WHAT}: compile must be {optimizer, loss, metrics?}`);
  if (args.loss === undefined)
    throw new Error(`ferrite: ${WHAT}: compile needs a loss (e.g. 'sparseCategoricalCrossentropy')`);
  const loss = Array.isArray(args.loss) ? args.loss.map((l, i) => nameOf(`loss[${i}]`, l)) : nameOf('loss', args.loss);
  let metrics: string[] | string[][] | undefined;
  const m = args.metrics;
  if (m === undefined || m === null) metrics = undefined;
  else if (!Array.isArray(m)) metrics = [nameOf('metrics', m)];
  else if (m.length > 0 && m.every((e) => Array.isArray(e)))
    metrics = (m as unknown[][]).map((list, i) => list.map((e, j) => nameOf(`metrics[${i}][${j}]`, e)));
  else metrics = (m as unknown[]).map((e, i) => nameOf(`metrics[${i}]`, e));
  return { optimizer: optimizerSpec(args.optimizer), loss, metrics };
}

/**
 * The compile settings of a compiled model, read back from its compiled state: the
 * optimizer's class and config, each output's loss, and each output's metric names.
 * Returns null for a model that is not compiled.
 */
export function compileSpecFromModel(model: LayersModel): CompileSpec | null {
  const compiled = model.compiled;
  if (compiled === null) return null;
  const outputs = compiled.outputs();
  const loss = outputs.map((o) => {
    if (!o.builtinLoss) {
      throw new Error(
        `ferrite: ${WHAT}: ${model.name} was compiled with a custom loss function for output '${o.outputName}', which cannot be sent to a worker. ` +
          'Pass compile: {optimizer, loss, metrics} with built-in names.',
      );
    }
    return o.lossKey;
  });
  const multi = outputs.length > 1;
  // Metric names in logs carry the output's name as a prefix in multi-output models.
  const metrics = outputs.map((o) =>
    o.metrics.map((m) =>
      multi && m.name.startsWith(`${o.outputName}_`) ? m.name.slice(o.outputName.length + 1) : m.name,
    ),
  );
  const spec: CompileSpec = {
    optimizer: optimizerSpec(compiled.optimizer),
    loss: multi ? loss : loss[0],
    metrics: multi ? metrics : metrics[0],
  };
  if (outputs.some((o) => o.lossWeight !== 1)) spec.lossWeights = outputs.map((o) => o.lossWeight);
  return spec;
}

/** The `model.compile` arguments a spec stands for (in the worker). */
export function compileArgsFromSpec(spec: CompileSpec): ModelCompileArgs {
  const optimizer =
    typeof spec.optimizer === 'string'
      ? spec.optimizer
      : optimizerFromConfig(spec.optimizer.className, spec.optimizer.config);
  return { optimizer, loss: spec.loss, metrics: spec.metrics, lossWeights: spec.lossWeights };
}
