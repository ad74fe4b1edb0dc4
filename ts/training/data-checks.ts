// Checks on the data given to fit / evaluate / predict, run once before any work, so
// that mistakes surface as one clear error instead of a failure deep in an epoch.

import { Tensor, type DataType } from '../tensor/tensor.js';
import { firstNonFinite, nonFiniteDataMessage } from './finite.js';
import type { TrainableModel } from './trainable-model.js';
import type { CompiledOutput } from './compile.js';
import type { SymbolicTensor } from '../layers/symbolic.js';

const fmt = (s: readonly (number | null)[]): string => `[${s.map((d) => (d === null ? 'null' : d)).join(', ')}]`;

/** Data for a model's inputs or outputs: one tensor, one per input / output in order, or by input / output name (TF.js's NamedTensorMap). */
export type ModelData = Tensor | Tensor[] | { [name: string]: Tensor };

/** The tensors of a name-keyed map in the order of `names`, each name given exactly once. */
export function byName(
  op: string,
  model: string,
  what: 'x' | 'y',
  map: Record<string, unknown>,
  names: string[],
): unknown[] {
  const kind = what === 'x' ? 'input' : 'output';
  for (const k of Object.keys(map)) {
    if (!names.includes(k))
      throw new Error(
        `ferrite: ${model}: ${op}: ${what} names ${kind} '${k}', but the model's ${kind}s are ${names.join(', ')}`,
      );
  }
  return names.map((n) => {
    if (!(n in map)) throw new Error(`ferrite: ${model}: ${op}: ${what} has no tensor for ${kind} '${n}'`);
    return map[n];
  });
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor);

/** x or y as a list with one tensor per model input / output. */
export function toTensorList(
  op: string,
  model: TrainableModel,
  what: 'x' | 'y',
  v: ModelData | undefined,
  expected: number,
): Tensor[] {
  if (v === undefined || v === null) throw new Error(`ferrite: ${model.name}: ${op}: ${what} is missing`);
  const names = () => (what === 'x' ? model.inputs : model.outputs).map((t) => t.name);
  const list = (Array.isArray(v) ? v : isPlainObject(v) ? byName(op, model.name, what, v, names()) : [v]) as Tensor[];
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) {
      const got = Array.isArray(t) ? 'a nested array' : typeof t;
      throw new Error(
        `ferrite: ${model.name}: ${op}: ${what}${list.length > 1 ? `[${i}]` : ''} must be a Tensor, got ${got} (make one with tensor(...))`,
      );
    }
    t.assertAlive(`${model.name}: ${op}: ${what}`);
  });
  if (list.length !== expected) {
    throw new Error(
      `ferrite: ${model.name}: ${op}: the model has ${expected} ${what === 'x' ? 'input' : 'output'}(s), but ${what} holds ${list.length} tensor(s)`,
    );
  }
  return list;
}

/** The number of samples, the same along axis 0 of every tensor. */
export function sampleCount(op: string, model: TrainableModel, xs: Tensor[], ys: Tensor[] = []): number {
  const all = [
    ...xs.map((t, i) => ({ t, name: xs.length > 1 ? `x[${i}]` : 'x' })),
    ...ys.map((t, i) => ({ t, name: ys.length > 1 ? `y[${i}]` : 'y' })),
  ];
  for (const { t, name } of all) {
    if (t.rank === 0)
      throw new Error(`ferrite: ${model.name}: ${op}: ${name} is a scalar; it needs a first (batch) dimension`);
  }
  const n = all[0].t.shape[0];
  for (const { t, name } of all) {
    if (t.shape[0] !== n) {
      throw new Error(
        `ferrite: ${model.name}: ${op}: ${all[0].name} has ${n} samples but ${name} has ${t.shape[0]} (shapes ${fmt(all[0].t.shape)} and ${fmt(t.shape)})`,
      );
    }
  }
  return n;
}

/** Each x fits its model input (rank, known dimensions, dtype). */
export function checkInputs(op: string, model: TrainableModel, xs: Tensor[]): void {
  const inputs = model.inputs;
  xs.forEach((x, i) => checkAgainstInput(model.name, `${op}: x`, x, inputs[i], i, xs.length));
}

/** Each y fits its output and loss: one-hot / values of the output's shape, or integer labels for sparse losses. */
export function checkTargets(
  op: string,
  model: TrainableModel,
  outputs: readonly CompiledOutput[],
  ys: Tensor[],
): void {
  const specs: SymbolicTensor[] = model.outputs;
  ys.forEach((y, k) => {
    const out = specs[k];
    const which = ys.length > 1 ? `y[${k}] (output ${out.name})` : 'y';
    const o = outputs[k];
    // A custom loss function decides what its targets look like.
    if (!o.builtinLoss) return;
    const classes = out.shape[out.rank - 1];
    const fits = (shape: readonly (number | null)[]) =>
      y.rank === shape.length && shape.every((d, i) => i === 0 || d === null || d === y.shape[i]);
    if (o.sparseLabels) {
      const labelShape = out.shape.slice(0, -1);
      if (fits(labelShape) || fits([...labelShape, 1])) return;
      const hint = fits(out.shape) ? `; it looks one-hot: use 'categoricalCrossentropy', or pass class indices` : '';
      throw new Error(
        `ferrite: ${model.name}: ${op}: ${which} has shape ${fmt(y.shape)}, but ${o.lossKey === 'sparsecategoricalcrossentropy' ? 'sparseCategoricalCrossentropy' : 'the loss'} needs integer class labels of shape ${fmt([y.shape[0], ...labelShape.slice(1)])} for the output ${fmt(out.shape)}${hint}`,
      );
    }
    if (!fits(out.shape)) {
      const hint =
        o.lossKey === 'categoricalcrossentropy' && fits(out.shape.slice(0, -1))
          ? `; for integer class labels use 'sparseCategoricalCrossentropy' (or one-hot encode y with oneHot(y, ${classes}))`
          : '';
      throw new Error(
        `ferrite: ${model.name}: ${op}: ${which} has shape ${fmt(y.shape)}, but the model's output is ${fmt(out.shape)}${hint}`,
      );
    }
    // int32 and bool targets (oneHot's int32) are cast to float32 per batch (lossTargets).
  });
}

/**
 * For integer-label losses: every label is an integer in [0, classes), checked once over
 * the whole data so that the error names the sample (the loss kernel would name a
 * position in a shuffled batch).
 */
export function checkLabelRange(
  op: string,
  model: TrainableModel,
  outputs: readonly CompiledOutput[],
  ys: Tensor[],
): void {
  const specs = model.outputs;
  ys.forEach((y, k) => {
    if (!outputs[k].sparseLabels || !outputs[k].builtinLoss) return;
    const classes = specs[k].shape[specs[k].rank - 1];
    if (classes === null) return;
    checkLabelValues(`${model.name}: ${op}`, ys.length > 1 ? `y[${k}]` : 'y', y.view(), y.shape, classes);
  });
}

/** Throws unless every value is an integer class label in [0, classes); `where` is 'model: op'. */
export function checkLabelValues(
  where: string,
  which: string,
  v: ArrayLike<number>,
  shape: readonly number[],
  classes: number,
): void {
  const perSample = v.length / Math.max(1, shape[0] ?? 1);
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes))
      throw new Error(
        `ferrite: ${where}: ${which} holds label ${c} at sample ${Math.floor(i / perSample)}, but the output has ${classes} classes (labels must be integers in [0, ${classes}))`,
      );
  }
}

/** Throws if a float tensor holds NaN or Infinity, saying where. */
export function checkFinite(op: string, model: TrainableModel, what: string, t: Tensor): void {
  const i = firstNonFinite(t);
  if (i >= 0) throw new Error(nonFiniteDataMessage(`${model.name}: ${op}`, what, t.view(), i, t.shape));
}

/**
 * x and y as lists (one tensor per model input and output), checked against the model
 * and its losses: sample counts, shapes, dtypes, label ranges and, with `finite`, NaN
 * and Infinity. Returns the lists and the number of samples.
 */
export function checkData(
  op: string,
  model: TrainableModel,
  outputs: readonly CompiledOutput[],
  x: ModelData,
  y: ModelData,
  finite = false,
): { xs: Tensor[]; ys: Tensor[]; n: number } {
  const xs = toTensorList(op, model, 'x', x, model.inputs.length);
  const ys = toTensorList(op, model, 'y', y, model.outputs.length);
  const n = sampleCount(op, model, xs, ys);
  checkInputs(op, model, xs);
  checkTargets(op, model, outputs, ys);
  checkLabelRange(op, model, outputs, ys);
  if (finite) {
    xs.forEach((t, i) => checkFinite(op, model, xs.length > 1 ? `x[${i}]` : 'x', t));
    ys.forEach((t, i) => checkFinite(op, model, ys.length > 1 ? `y[${i}]` : 'y', t));
  }
  return { xs, ys, n };
}

/** Builds a model that defers its graph (Sequential without inputShape) from x's shape. */
export function ensureGraphFor(model: TrainableModel, x: ModelData | undefined): void {
  if (model.isGraphBuilt) return;
  const xs = Array.isArray(x) ? x : x === undefined ? [] : isPlainObject(x) ? Object.values(x) : [x];
  if (xs.length > 0 && xs.every((t) => t instanceof Tensor)) {
    model.graph(
      xs.map((t) => t.shape),
      xs.map((t) => t.dtype),
    );
  } else {
    model.graph();
  }
}

/** Throws when a tensor does not fit a model input (rank, known dimensions, dtype). */
export function checkAgainstInput(
  model: string,
  what: string,
  x: Tensor,
  spec: SymbolicTensor,
  i: number,
  count: number,
): void {
  if (!(x instanceof Tensor)) throw new Error(`ferrite: ${model}: ${what} ${i} must be a Tensor, got ${typeof x}`);
  x.assertAlive(`${model}: ${what}`);
  checkShapeAgainstInput(
    model,
    what,
    x.shape,
    x.dtype,
    spec.shape,
    spec.dtype,
    count > 1 ? ` ${i} (${spec.name})` : '',
  );
}

/**
 * Throws when a shape and dtype do not fit an input spec (rank, known dimensions, dtype).
 * On raw shapes, so the background trainer can check data before it sends it.
 */
export function checkShapeAgainstInput(
  model: string,
  what: string,
  shape: readonly number[],
  dtype: DataType,
  specShape: readonly (number | null)[],
  specDtype: DataType,
  which = '',
): void {
  const fits = shape.length === specShape.length && specShape.every((d, k) => d === null || d === shape[k]);
  if (!fits) {
    throw new Error(
      `ferrite: ${model}: ${what}${which} has shape [${shape.join(', ')}], but the model expects [${specShape.map((d) => (d === null ? 'null' : d)).join(', ')}]`,
    );
  }
  // Numeric dtypes are cast to the input's when the model runs, as TF.js does.
  if (dtype !== specDtype && specDtype === 'bool') {
    throw new Error(
      `ferrite: ${model}: ${what}${which} is ${dtype}, but the model's input is ${specDtype} (cast it to bool)`,
    );
  }
}
