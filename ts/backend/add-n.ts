// The addN kernel call over any number of inputs, not recorded. ops/arithmetic's addN
// and the autograd tape (summing the gradients that meet at a tensor) both use it, so
// the tape needs no op.

import type { Engine } from './engine.js';
import { MAX_POINTER_PARAMS, writeParams } from './param-block.js';

/** out = inputs[0] + inputs[1] + ..., added in order; every pointer is `size` float32s. */
export function addNInto(eng: Engine, inputs: readonly number[], out: number, size: number): void {
  // The pointer list goes through the parameter block; a very long list is summed in
  // rounds, each adding the next inputs into out (out is the first input of later rounds).
  const ptrs: number[] = [];
  let next = 0;
  while (next < inputs.length) {
    ptrs.length = 0;
    if (next > 0) ptrs.push(out);
    while (next < inputs.length && ptrs.length < MAX_POINTER_PARAMS) ptrs.push(inputs[next++]);
    eng.core.fe_add_n(writeParams(eng, ptrs, ptrs.length), ptrs.length, out, size);
  }
}
