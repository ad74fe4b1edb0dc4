// Dropout: while training, zeroes each input with probability `rate` and scales the rest
// by 1 / (1 - rate); at inference it passes the input through.

import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../ops/dropout.js';
import { Layer, single, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';

/**
 * The arguments of `layers.dropout`.
 *
 * @example
 * ```ts
 * fe.layers.dropout({ rate: 0.3, noiseShape: [null, 1, null], seed: 42 }); // same mask on every step
 * ```
 */
export interface DropoutArgs extends LayerArgs {
  /** Fraction of the inputs to drop, in [0, 1). */
  rate: number;
  /** Shape of the keep mask, broadcast over the input (`null` = the input's size there). */
  noiseShape?: (number | null)[] | null;
  /** Makes the masks reproducible: call k uses seed + k. `null` (as getConfig writes it) = no seed. */
  seed?: number | null;
}

/**
 * The layer `layers.dropout` makes: randomly zeroes a fraction `rate` of the inputs while training.
 *
 * @example
 * ```ts
 * const layer = fe.layers.dropout({ rate: 0.5 });
 * layer.apply(fe.ones([2, 3])); // unchanged: dropout only acts inside fit (training: true)
 * ```
 */
export class Dropout extends Layer {
  static override className = 'Dropout';
  /** {@inheritDoc DropoutArgs.rate} */
  readonly rate: number;
  /** {@inheritDoc DropoutArgs.noiseShape} */
  readonly noiseShape?: (number | null)[];
  /** {@inheritDoc DropoutArgs.seed} */
  readonly seed?: number;
  private calls = 0;

  constructor(args: DropoutArgs) {
    super(args);
    // Passes a sequence mask on, as TF.js's.
    this.supportsMasking = true;
    if (typeof args?.rate !== 'number' || !(args.rate >= 0 && args.rate < 1)) {
      throw new Error(`ferrite: ${this.name}: rate must be a number in [0, 1), got ${String(args?.rate)}`);
    }
    this.rate = args.rate;
    // getConfig writes absent options as null (as Keras's JSON does): both mean "not set".
    if (args.noiseShape != null && !Array.isArray(args.noiseShape))
      throw new Error(
        `ferrite: ${this.name}: noiseShape must be an array or null, got ${JSON.stringify(args.noiseShape)}`,
      );
    this.noiseShape = args.noiseShape ?? undefined;
    if (args.seed != null && !Number.isSafeInteger(args.seed))
      throw new Error(`ferrite: ${this.name}: seed must be an integer or null, got ${String(args.seed)}`);
    this.seed = args.seed ?? undefined;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor {
    const x = single(this.name, inputs);
    if (!kwargs.training || this.rate === 0) return x;
    let noiseShape: number[] | undefined;
    if (this.noiseShape !== undefined) {
      if (this.noiseShape.length !== x.rank) {
        throw new Error(
          `ferrite: ${this.name}: noiseShape [${this.noiseShape.join(', ')}] must have the input's rank (input [${x.shape.join(', ')}])`,
        );
      }
      noiseShape = this.noiseShape.map((d, i) => (d === null ? x.shape[i] : d));
    }
    // A fixed seed would give every batch the same mask: advance it per call instead.
    const seed = this.seed === undefined ? undefined : this.seed + this.calls++;
    return dropout(x, this.rate, noiseShape, seed);
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape ?? null, seed: this.seed ?? null };
  }
}
registerClass(Dropout);
