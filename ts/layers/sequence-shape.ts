// Shape layers for sequences, as Keras's and TF.js's: RepeatVector ([batch, features] to
// [batch, n, features]) and Permute (reorders the axes after the batch; dims count from 1).

import type { Tensor } from '../tensor/tensor.js';
import { expandDims, tile, transpose } from '../ops/shape.js';
import { tidy } from '../tensor/scope.js';
import { Layer, single, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';

/**
 * The arguments of `layers.repeatVector`.
 *
 * @example
 * ```ts
 * fe.layers.repeatVector({ n: 10 }); // [batch, d] -> [batch, 10, d]
 * ```
 */
export interface RepeatVectorArgs extends LayerArgs {
  /** How many times the input vector is repeated. */
  n: number;
}

/**
 * The layer `layers.repeatVector` makes: [batch, features] -> [batch, n, features].
 *
 * @example
 * ```ts
 * const layer = fe.layers.repeatVector({ n: 4 });
 * layer.computeOutputShape([null, 8]); // [null, 4, 8]
 * ```
 */
export class RepeatVector extends Layer {
  static override className = 'RepeatVector';
  /** {@inheritDoc RepeatVectorArgs.n} */
  readonly n: number;

  constructor(args: RepeatVectorArgs) {
    super(args);
    if (!Number.isInteger(args?.n) || args.n < 1)
      throw new Error(`ferrite: ${this.name}: n must be a positive integer, got ${JSON.stringify(args?.n)}`);
    this.n = args.n;
    this.inputSpec = [{ ndim: 2 }];
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = single(this.name, inputs);
    return tidy(() => tile(expandDims(x, 1), [1, this.n, 1]));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const [batch, features] = inputShape as SymbolicShape;
    return [batch, this.n, features];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), n: this.n };
  }
}
registerClass(RepeatVector);

/**
 * The arguments of `layers.permute`.
 *
 * @example
 * ```ts
 * fe.layers.permute({ dims: [2, 1] }); // [batch, a, b] -> [batch, b, a]
 * ```
 */
export interface PermuteArgs extends LayerArgs {
  /** A permutation of 1 .. rank - 1 (the batch axis 0 stays first): [2, 1] swaps steps and features. */
  dims: number[];
}

/**
 * The layer `layers.permute` makes: reorders the axes after the batch (dims from 1): permute({dims: [2, 1]}).
 *
 * @example
 * ```ts
 * const layer = fe.layers.permute({ dims: [2, 1] });
 * layer.computeOutputShape([null, 20, 8]); // [null, 8, 20]
 * ```
 */
export class Permute extends Layer {
  static override className = 'Permute';
  /** {@inheritDoc PermuteArgs.dims} */
  readonly dims: number[];

  constructor(args: PermuteArgs) {
    super(args);
    const dims = args?.dims;
    const ok = Array.isArray(dims) && dims.length > 0 && [...dims].sort((a, b) => a - b).every((d, i) => d === i + 1);
    if (!ok)
      throw new Error(
        `ferrite: ${this.name}: dims must be a permutation of 1..${Array.isArray(dims) ? dims.length : 'n'} (axis 0, the batch, stays), got ${JSON.stringify(dims)}`,
      );
    this.dims = [...dims];
    this.inputSpec = [{ ndim: dims.length + 1 }];
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    return transpose(single(this.name, inputs), [0, ...this.dims]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (shape.length !== this.dims.length + 1)
      throw new Error(
        `ferrite: ${this.name}: dims ${JSON.stringify(this.dims)} permute rank ${this.dims.length + 1} inputs, got ${fmtSymbolicShape(shape)}`,
      );
    return [shape[0], ...this.dims.map((d) => shape[d])];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}
registerClass(Permute);
