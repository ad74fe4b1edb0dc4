// ZeroPadding2D: rows and columns of zeros around NHWC images, as Keras's and TF.js's
// layer. No weights.

import type { Tensor } from '../tensor/tensor.js';
import { pad } from '../ops/pad.js';
import { single, type CallKwargs, type LayerArgs, type LayerConfig } from './layer.js';
import { registerClass } from '../serialization/registry.js';
import type { SymbolicShape } from './symbolic.js';
import { Spatial2DLayer, toPair, type DataFormat } from './spatial.js';

/**
 * The arguments of `layers.zeroPadding2d`.
 *
 * @example
 * ```ts
 * fe.layers.zeroPadding2d({ padding: [[1, 1], [2, 2]] });
 * ```
 */
export interface ZeroPadding2DArgs extends LayerArgs {
  /**
   * n: n rows/columns on every side; [h, w]: h rows above and below, w columns left and
   * right; [[top, bottom], [left, right]]: each side on its own. Default 1.
   */
  padding?: number | [number, number] | [[number, number], [number, number]];
  /** Only 'channelsLast' (NHWC, the default). */
  dataFormat?: DataFormat;
}

/**
 * The layer `layers.zeroPadding2d` makes: Rows and columns of zeros around NHWC images.
 *
 * @example
 * ```ts
 * const layer = fe.layers.zeroPadding2d({ padding: [[1, 2], [3, 4]] });
 * layer.computeOutputShape([null, 10, 10, 3]); // [null, 13, 17, 3]
 * ```
 */
export class ZeroPadding2D extends Spatial2DLayer {
  static override className = 'ZeroPadding2D';
  /** [[top, bottom], [left, right]]. */
  readonly padding: [[number, number], [number, number]];

  constructor(args: ZeroPadding2DArgs = {}) {
    super(args);
    const p = args.padding ?? 1;
    if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1])) {
      this.padding = [
        toPair(this.name, 'padding (top, bottom)', p[0], 0),
        toPair(this.name, 'padding (left, right)', p[1], 0),
      ];
    } else {
      const [h, w] = toPair(this.name, 'padding', p, 0);
      this.padding = [
        [h, h],
        [w, w],
      ];
    }
  }

  call(inputs: Tensor | Tensor[], _kwargs: CallKwargs): Tensor {
    const x = single(this.name, inputs);
    const [[top, bottom], [left, right]] = this.padding;
    return pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const [n, h, w, c] = inputShape as SymbolicShape;
    const [[top, bottom], [left, right]] = this.padding;
    return [n, h === null ? null : h + top + bottom, w === null ? null : w + left + right, c];
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]), dataFormat: this.dataFormat };
  }
}
registerClass(ZeroPadding2D);
