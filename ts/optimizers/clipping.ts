// Keras's gradient clipping for every optimizer (TF.js has none): per-gradient norm
// (`clipnorm`), global norm over one step's gradients (`globalClipnorm`), or per-element
// value (`clipvalue`), in Keras's order of precedence. The clipped gradients are
// temporaries: the caller's gradients are never modified.

import { mul } from '../ops/arithmetic.js';
import { clipByValue, square } from '../ops/unary.js';
import { sum } from '../ops/reduce.js';
import { tidy } from '../tensor/scope.js';
import type { Tensor, Variable } from '../tensor/tensor.js';

export interface ClipOptions {
  clipnorm: number | null;
  clipvalue: number | null;
  globalClipnorm: number | null;
}

/** The squared L2 norm of `g`, in float64 once reduced. */
function sumOfSquares(g: Tensor): number {
  return tidy(() => sum(square(g)).dataSync()[0]);
}

/** `g` scaled by limit / max(norm, limit): unchanged (the same tensor) when norm <= limit. */
function scaleToNorm(g: Tensor, norm: number, limit: number): Tensor {
  return norm > limit ? mul(g, limit / norm) : g;
}

/**
 * Calls `apply` with the pairs of `work`, their gradients clipped as `clip` says (the
 * clipped copies are freed when `apply` returns).
 */
export function clipGradients(
  clip: ClipOptions,
  work: [Variable, Tensor][],
  apply: (clipped: [Variable, Tensor][]) => void,
): void {
  const { clipnorm, clipvalue, globalClipnorm } = clip;
  if (clipnorm === null && clipvalue === null && globalClipnorm === null) return apply(work);
  tidy(() => {
    let clipped: [Variable, Tensor][];
    if (clipnorm !== null) {
      clipped = work.map(([v, g]) => [v, scaleToNorm(g, Math.sqrt(sumOfSquares(g)), clipnorm)]);
    } else if (globalClipnorm !== null) {
      const norm = Math.sqrt(work.reduce((s, [, g]) => s + sumOfSquares(g), 0));
      clipped = work.map(([v, g]) => [v, scaleToNorm(g, norm, globalClipnorm)]);
    } else {
      const c = clipvalue!;
      clipped = work.map(([v, g]) => [v, clipByValue(g, -c, c)]);
    }
    apply(clipped);
  });
}
