// Checks a background fit's options and data in the caller's thread, before any typed
// array is transferred: a fit the worker would refuse for its options, its shapes, its
// sample counts or NaN in the data rejects here and leaves the caller's arrays intact.
// (Tensors are copied, not transferred, so only raw `{data, shape}` arrays need this; the
// worker checks everything again, as model.fit does.)

import { Tensor } from '../tensor/tensor.js';
import { checkFitOptions, type FitOptions } from '../training/fit.js';
import { checkLabelValues, checkShapeAgainstInput } from '../training/data-checks.js';
import { nonFiniteDataMessage } from '../training/finite.js';
import type { ModelInfo } from './protocol.js';
import { checkTensorData, type DataInput } from './wire.js';
import { ResidentData } from './resident.js';

/** Data a background fit takes: arrays or tensors to send, or data already in the worker. */
export type FitData = DataInput | DataInput[] | ResidentData;

/** Shapes and sample counts of resident data (its values were sent already; the worker checks them). */
function preflightResident(
  where: string,
  model: ModelInfo,
  what: string,
  v: ResidentData,
  side: 'input' | 'output',
): number[] {
  const expected = side === 'input' ? (model.inputs?.length ?? v.entries.length) : model.numOutputs;
  if (v.entries.length !== expected)
    throw new Error(
      `ferrite: ${where}: ${what} (${v.toString()}) must hold ${expected} array(s), got ${v.entries.length}`,
    );
  return v.entries.map(({ shape, dtype }, i) => {
    const spec = side === 'input' ? model.inputs?.[i] : undefined;
    if (spec) checkShapeAgainstInput(model.name, `${opOf(where)}: ${what}`, [...shape], dtype, spec.shape, spec.dtype);
    return shape[0] ?? 0;
  });
}

/** The sample count (first dimension) of each entry. */
function preflightList(where: string, model: ModelInfo, what: string, v: FitData, side: 'input' | 'output'): number[] {
  if (v instanceof ResidentData) return preflightResident(where, model, what, v, side);
  const list = Array.isArray(v) ? v : [v];
  const inputs = side === 'input' ? model.inputs : null;
  const expected = side === 'input' ? (inputs?.length ?? list.length) : model.numOutputs;
  if (list.length !== expected)
    throw new Error(
      `ferrite: ${where}: ${what} must hold ${expected} array(s) or tensor(s), one per model ${side}, got ${list.length}`,
    );
  return list.map((item, i) => {
    const name = list.length > 1 ? `${what}[${i}]` : what;
    if (item instanceof Tensor) {
      item.assertAlive(`${where}: ${name}`);
      return item.shape[0] ?? 0;
    }
    const { data, shape, dtype } = checkTensorData(`${where}: ${name}`, item);
    const spec = inputs?.[i];
    if (spec) checkShapeAgainstInput(model.name, `${opOf(where)}: ${name}`, shape, dtype, spec.shape, spec.dtype);
    if (dtype === 'float32') {
      for (let k = 0; k < data.length; k++) {
        if (!Number.isFinite(data[k])) throw new Error(nonFiniteDataMessage(where, name, data, k, shape));
      }
    }
    const classes = side === 'output' ? (model.outputs?.[i]?.labelClasses ?? null) : null;
    if (classes !== null)
      checkLabelValues(
        where,
        list.length > 1 ? `${name} (output ${model.outputs![i].name})` : name,
        data,
        shape,
        classes,
      );
    return shape[0] ?? 0;
  });
}

/** The operation a `where` ('model: fit') names. */
const opOf = (where: string): string => where.slice(where.lastIndexOf(': ') + 2);

/**
 * Throws, before anything is sent, what the worker's fit (or trainOnBatch: `op`) would
 * refuse in options, shapes, counts and values.
 */
export function preflightFit(
  model: ModelInfo,
  x: FitData,
  y: FitData,
  validationData: [FitData, FitData] | undefined,
  options: FitOptions,
  op = 'fit',
): void {
  const where = `${model.name}: ${op}`;
  checkFitOptions(model.name, options);
  const pairs: [string, string, FitData, FitData][] = [['x', 'y', x, y]];
  if (validationData !== undefined) {
    if (!Array.isArray(validationData) || validationData.length !== 2)
      throw new Error(`ferrite: ${where}: validationData must be [xVal, yVal]`);
    pairs.push(['validationData[0]', 'validationData[1]', validationData[0], validationData[1]]);
  }
  for (const [xName, yName, xs, ys] of pairs) {
    const counts = [
      ...preflightList(where, model, xName, xs, 'input'),
      ...preflightList(where, model, yName, ys, 'output'),
    ];
    if (counts.some((n) => n !== counts[0]))
      throw new Error(
        `ferrite: ${where}: ${xName} and ${yName} must have the same number of samples, got ${counts.join(', ')}`,
      );
  }
}
