// The functional API's graph: symbolic tensors (a shape with an unknown batch size,
// no data) and the nodes that connect them, one node per call of a layer.

import type { DataType } from '../tensor/tensor.js';
import type { Layer } from './layer.js';

/**
 * A shape whose entries may be unknown (`null`), usually the batch dimension.
 *
 * @example
 * ```ts
 * fe.layers.flatten().computeOutputShape([null, 7, 7, 64]); // [null, 3136]: null is an unknown size
 * ```
 */
export type SymbolicShape = (number | null)[];

let nextId = 0;

/**
 * The output of a layer applied to symbolic inputs (`input()` or another layer's
 * output): its shape and dtype are known, its values are not. Models are built from
 * these, like TF.js's `SymbolicTensor`.
 *
 * @example
 * ```ts
 * const x = fe.input({ shape: [784] });
 * const h = fe.layers.dense({ units: 32 }).apply(x) as fe.SymbolicTensor;
 * h.shape; // [null, 32]
 * h.sourceLayer.name; // e.g. 'dense_1'
 * ```
 */
export class SymbolicTensor {
  /** A unique id, increasing in creation order. */
  readonly id = nextId++;
  /** The number of dimensions, batch included. */
  readonly rank: number;
  /** The producing layer's name (`<layer>/out<i>` for a layer with several outputs). */
  readonly name: string;

  constructor(
    /** The dtype of the values it stands for. */
    readonly dtype: DataType,
    /** The shape, batch first; null where a size is not fixed. */
    readonly shape: SymbolicShape,
    /** The call that produced this tensor. */
    readonly node: Node,
    /** Which of the node's outputs this is. */
    readonly outputIndex: number,
  ) {
    this.rank = shape.length;
    this.name = node.outputsPerCall() > 1 ? `${node.layer.name}/out${outputIndex}` : node.layer.name;
  }

  /** The layer whose call produced this tensor. */
  get sourceLayer(): Layer {
    return this.node.layer;
  }

  /**
   * `SymbolicTensor <name> <dtype> [<shape>]`.
   *
   * @example
   * ```ts
   * String(fe.input({ shape: [3], name: 'pixels' })); // 'SymbolicTensor pixels float32 [null, 3]'
   * ```
   */
  toString(): string {
    return `SymbolicTensor ${this.name} ${this.dtype} ${fmtSymbolicShape(this.shape)}`;
  }
}

/** One application of a layer to symbolic inputs. */
export class Node {
  readonly outputs: SymbolicTensor[] = [];

  constructor(
    readonly layer: Layer,
    readonly inputs: SymbolicTensor[],
    /** True when the layer was given one tensor (not an array of one). */
    readonly singleInput: boolean,
    /** Extra call arguments given at graph-building time (e.g. `{training: true}`). */
    readonly kwargs: Record<string, unknown>,
    private readonly numOutputs: number,
  ) {}

  outputsPerCall(): number {
    return this.numOutputs;
  }

  /** The nodes whose outputs feed this one. */
  parents(): Node[] {
    return this.inputs.map((t) => t.node);
  }
}

/** `[null, 784]` as Keras prints it: `(None, 784)`. */
export function fmtSymbolicShape(shape: SymbolicShape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}
