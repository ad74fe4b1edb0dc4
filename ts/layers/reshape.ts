// Reshape: [batch, ...] -> [batch, ...targetShape]; one target entry may be -1 (inferred).

import type { Tensor } from '../tensor/tensor.js';
import { reshape } from '../ops/index.js';
import { Layer, single, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from './symbolic.js';

/**
 * The arguments of `layers.reshape`.
 *
 * @example
 * ```ts
 * fe.layers.reshape({ targetShape: [7, 7, 1] }); // [batch, 49] -> [batch, 7, 7, 1]
 * ```
 */
export interface ReshapeArgs extends LayerArgs {
  /** Shape of one sample after reshaping (without the batch dimension); one entry may be -1. */
  targetShape: (number | null)[];
}

/**
 * The layer `layers.reshape` makes: reshapes each sample to `targetShape`.
 *
 * @example
 * ```ts
 * const layer = fe.layers.reshape({ targetShape: [7, 4] });
 * layer.computeOutputShape([null, 28]); // [null, 7, 4]
 * ```
 */
export class Reshape extends Layer {
  static override className = 'Reshape';
  /** {@inheritDoc ReshapeArgs.targetShape} */
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    super(args);
    const t = args?.targetShape;
    if (!Array.isArray(t))
      throw new Error(`ferrite: ${this.name}: targetShape must be an array, got ${JSON.stringify(t)}`);
    const target = t.map((d) => (d === null ? -1 : d));
    if (target.some((d) => !Number.isInteger(d) || d < -1) || target.filter((d) => d === -1).length > 1) {
      throw new Error(
        `ferrite: ${this.name}: targetShape must hold positive integers and at most one -1, got [${t.join(', ')}]`,
      );
    }
    this.targetShape = target;
  }

  /** The target shape with its -1 resolved for `features` values per sample. */
  private resolve(features: number, inputDesc: string): number[] {
    const known = this.targetShape.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const unknown = this.targetShape.indexOf(-1);
    if (unknown >= 0) {
      if (known === 0 || features % known !== 0) {
        throw new Error(
          `ferrite: ${this.name}: cannot reshape input ${inputDesc} (${features} values per sample) to [${this.targetShape.join(', ')}]`,
        );
      }
      const out = [...this.targetShape];
      out[unknown] = features / known;
      return out;
    }
    if (known !== features) {
      throw new Error(
        `ferrite: ${this.name}: cannot reshape input ${inputDesc} (${features} values per sample) to [${this.targetShape.join(', ')}] (${known} values)`,
      );
    }
    return [...this.targetShape];
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = single(this.name, inputs);
    const features = x.shape.slice(1).reduce((a, b) => a * b, 1);
    return reshape(x, [x.shape[0], ...this.resolve(features, `[${x.shape.join(', ')}]`)]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const rest = shape.slice(1);
    if (rest.some((d) => d === null)) {
      // Unknown sample size: only the explicit entries are known.
      return [shape[0], ...this.targetShape.map((d) => (d === -1 ? null : d))];
    }
    const features = (rest as number[]).reduce((a, b) => a * b, 1);
    return [shape[0], ...this.resolve(features, fmtSymbolicShape(shape))];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), targetShape: [...this.targetShape] };
  }
}
registerClass(Reshape);
