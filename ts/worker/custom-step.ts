// User-defined training steps in the training worker (TF.js-style custom loops): the
// worker imports a module by URL and runs its `step` with the library and the models it
// holds. A GAN alternates two models per batch, which `fit` cannot do; its step trains the
// discriminator, then the generator through the frozen discriminator, and returns both
// losses. The module receives the library from the worker (`ctx.fe`) rather than importing
// 'ferrite-nn' itself: a worker has no import map, and a second copy of the library would
// be a second engine, apart from the one that holds the models.

import { Tensor, Variable } from '../tensor/tensor.js';
import type { LayersModel } from '../models/index.js';
import { importAtRunTime } from '../util/runtime-import.js';
import { TransferList, packResult, unpackTensor, type WireTensor } from './wire.js';

/**
 * What a step module's `setup` and `step` receive: the library, the models the trainer
 * holds, the options given to `loadStep`, and what `setup` returned. In TypeScript, pass
 * the library's type as `Library` (`typeof fe` where `import * as fe from 'ferrite-nn'`)
 * to type `ctx.fe`.
 *
 * @example
 * ```ts no-run
 * // critic-step.ts, loaded with trainer.loadStep(new URL('./critic-step.js', import.meta.url))
 * export async function step(ctx: fe.worker.StepContext<unknown, typeof fe>, inputs: {x: fe.Tensor; y: fe.Tensor}) {
 *   const loss = await ctx.models.critic.trainOnBatch(inputs.x, inputs.y);
 *   return {loss, mean: ctx.fe.mean(inputs.y)};
 * }
 * ```
 */
export interface StepContext<State = unknown, Library = Record<string, unknown>> {
  /** The library as the worker runs it (the same engine as the models): what `import * as fe from 'ferrite-nn'` gives. */
  fe: Library;
  /** The trainer's model (the one given to `worker.create`). */
  model: LayersModel;
  /** The other models, by the names given in `worker.create(model, {models})`. */
  models: Record<string, LayersModel>;
  /** The options given to `trainer.loadStep(url, options)` (plain data). */
  options: Record<string, unknown>;
  /** What `setup` returned (undefined without a setup). */
  state: State;
}

/**
 * What a step module exports: `step`, run by each `trainer.step(inputs, args)`, and
 * optionally `setup`, run once by `trainer.loadStep` (compile models, build a combined
 * model, make fixed noise; what it returns becomes `ctx.state`). `step` gets the inputs
 * as Tensors (owned by the trainer: do not dispose them) and returns plain data: numbers,
 * strings, booleans, Tensors (sent back as Tensors, then disposed in the worker unless
 * they are Variables), and arrays and objects of these.
 *
 * @example
 * ```ts no-run
 * // gan-step.ts, a module loaded with trainer.loadStep(url)
 * export async function setup(ctx: fe.worker.StepContext<unknown, typeof fe>) {
 *   ctx.models.critic.compile({optimizer: 'adam', loss: 'meanSquaredError'});
 *   return {noise: ctx.fe.randomNormal([16, 100])};
 * }
 * export async function step(ctx: fe.worker.StepContext<{noise: fe.Tensor}, typeof fe>, inputs: Record<string, fe.Tensor>) {
 *   return {loss: await ctx.models.critic.trainOnBatch(inputs.x, inputs.y)};
 * }
 * ```
 */
export interface StepModule {
  /** Runs once, when the module is loaded; its result becomes `ctx.state`. */
  // `never`: a module typed with its own State and Library still fits (parameters are contravariant).
  setup?: (ctx: StepContext<never, never>) => unknown;
  /** One training step; returns logs or results as plain data and Tensors. */
  step: (ctx: StepContext<never, never>, inputs: Record<string, Tensor>, args: Record<string, unknown>) => unknown;
}

/** A step's result on the wire: plain data where each Tensor became a tagged wire tensor. */
export type WireStepResult = unknown;

const TENSOR_TAG = '__ferriteTensor';

/** Packs a step's result: Tensors copied out (and disposed unless Variables), the rest as it is. */
export function packStepResult(who: string, value: unknown, transfers: TransferList, path = 'result'): WireStepResult {
  if (value === null || value === undefined) return value;
  const t = typeof value;
  if (t === 'number' || t === 'string' || t === 'boolean') return value;
  if (value instanceof Tensor) {
    value.assertAlive(`${who}: ${path}`);
    const wire = packResult(value, transfers);
    if (!(value instanceof Variable)) value.dispose();
    return { [TENSOR_TAG]: wire };
  }
  if (Array.isArray(value)) return value.map((v, i) => packStepResult(who, v, transfers, `${path}[${i}]`));
  if (t === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = packStepResult(who, v, transfers, `${path}.${k}`);
    return out;
  }
  const kind = t === 'object' ? ((value as object).constructor?.name ?? 'object') : t;
  throw new Error(
    `${who}: the step returned ${kind === 'function' ? 'a function' : `a ${kind}`} at ${path}; return numbers, strings, booleans, Tensors, and arrays or plain objects of these`,
  );
}

/** The caller's side: the result with each wire tensor made a Tensor in this thread. */
export function unpackStepResult(value: WireStepResult): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(unpackStepResult);
  const wire = (value as Record<string, unknown>)[TENSOR_TAG] as WireTensor | undefined;
  if (wire !== undefined) return unpackTensor(wire);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = unpackStepResult(v);
  return out;
}

/** Imports a step module and checks its exports. */
export async function importStepModule(who: string, url: string): Promise<StepModule> {
  let mod: Partial<StepModule>;
  try {
    mod = await importAtRunTime<Partial<StepModule>>(url);
  } catch (e) {
    throw new Error(`${who}: cannot import the step module ${url}: ${(e as Error)?.message ?? String(e)}`);
  }
  if (typeof mod.step !== 'function')
    throw new Error(
      `${who}: the step module ${url} exports no step function (expected \`export function step(ctx, inputs, args)\`)`,
    );
  if (mod.setup !== undefined && typeof mod.setup !== 'function')
    throw new Error(`${who}: the step module ${url} exports a setup that is not a function`);
  return mod as StepModule;
}
