// The core's naive pooling kernels (its exported references), run on tensors in place.

import { engine } from '../../ts/backend/engine.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import { geometryParams, type WindowGeometry } from '../../ts/ops/conv.js';

/** Writes the naive forward into `y` and backward (of `dy`) into `dx` for windows `g` over `x`. */
export function naivePool(kind: 'max' | 'avg', g: WindowGeometry, x: Tensor, dy: Tensor, y: Tensor, dx: Tensor): void {
  const eng = engine();
  if (kind === 'max') {
    eng.core.fe_max_pool_forward_naive(geometryParams(eng, g), x.ptr, y.ptr);
    eng.core.fe_max_pool_backward_naive(geometryParams(eng, g), x.ptr, dy.ptr, dx.ptr);
  } else {
    eng.core.fe_avg_pool_forward_naive(geometryParams(eng, g), x.ptr, y.ptr);
    eng.core.fe_avg_pool_backward_naive(geometryParams(eng, g), dy.ptr, dx.ptr);
  }
}
