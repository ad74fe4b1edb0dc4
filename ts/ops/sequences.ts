// Tensors of evenly spaced values and identity matrices: range, linspace, eye.

import { tensor } from '../tensor/creation.js';
import { emptyTensor, sizeOf, type DataType, type Tensor } from '../tensor/tensor.js';

/**
 * start, start + step, ... up to but excluding `stop` (empty when step points away from
 * stop), as TF.js's `range`.
 *
 * @example
 * ```ts
 * fe.range(0, 5).print(); // [0, 1, 2, 3, 4]
 * fe.range(1, 0, -0.25).print(); // [1, 0.75, 0.5, 0.25]
 * ```
 */
export function range(start: number, stop: number, step = 1, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  if (step === 0) throw new Error('ferrite: range: step cannot be 0');
  if (![start, stop, step].every(Number.isFinite)) {
    throw new Error(`ferrite: range: start, stop and step must be finite, got ${start}, ${stop}, ${step}`);
  }
  const forward = start < stop;
  const n = start === stop || forward !== step > 0 ? 0 : Math.ceil(Math.abs((stop - start) / step));
  const values = dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return tensor(values, [n], dtype);
}

/**
 * `num` evenly spaced values from start to stop, both included, as TF.js's `linspace`.
 *
 * @example
 * ```ts
 * fe.linspace(0, 1, 5).print(); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num <= 0)
    throw new Error(`ferrite: linspace: num must be a positive integer, got ${num}`);
  const step = num === 1 ? 0 : (stop - start) / (num - 1);
  const values = Float32Array.from({ length: num }, (_, i) => start + i * step);
  if (num > 1) values[num - 1] = stop;
  return tensor(values, [num], 'float32');
}

/**
 * An identity matrix [numRows, numColumns] (ones on the main diagonal), repeated over
 * `batchShape` when given, as TF.js's `eye`.
 *
 * @example
 * ```ts
 * fe.eye(2).print(); // [[1, 0], [0, 1]]
 * fe.eye(2, 3).shape; // [2, 3]
 * ```
 */
export function eye(
  numRows: number,
  numColumns: number = numRows,
  batchShape: number[] = [],
  dtype: DataType = 'float32',
): Tensor {
  const dims = [numRows, numColumns, ...batchShape];
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(
      `ferrite: eye: sizes must be integers >= 0, got ${numRows}, ${numColumns}, [${batchShape.join(', ')}]`,
    );
  }
  const y = emptyTensor([...batchShape, numRows, numColumns], dtype);
  const v = y.view();
  v.fill(0);
  const per = numRows * numColumns;
  for (let b = 0; b < sizeOf(batchShape); b++) {
    for (let i = 0; i < Math.min(numRows, numColumns); i++) v[b * per + i * numColumns + i] = 1;
  }
  return y;
}
