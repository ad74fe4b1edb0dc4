// The parameter block: a small area of wasm memory per engine (allocated once, never
// freed) through which a call hands the kernel arrays (shapes, strides, pointer lists)
// and scalar operands that do not fit its fixed arguments.

import { perEngine, type Engine } from './engine.js';

/** 32-bit words in a parameter block. */
const PARAM_WORDS = 256;
/** The word that holds a scalar operand; arrays use the words below it. */
const SCALAR_WORD = PARAM_WORDS - 4;
/** Most pointers one call may pass in the block (addN). */
export const MAX_POINTER_PARAMS = SCALAR_WORD;

const paramBlock = perEngine((eng) => eng.alloc(PARAM_WORDS * 4));

/** Copies `words[0..count)` into the engine's parameter block; returns its byte pointer. */
export function writeParams(eng: Engine, words: ArrayLike<number>, count: number): number {
  const p = paramBlock(eng);
  const view = eng.i32;
  const o = p >> 2;
  for (let i = 0; i < count; i++) view[o + i] = words[i];
  return p;
}

/** Stores a float32 scalar operand in the parameter block; returns its byte pointer. */
export function scalarParam(eng: Engine, value: number): number {
  const p = paramBlock(eng);
  eng.f32[(p >> 2) + SCALAR_WORD] = value;
  return p + SCALAR_WORD * 4;
}
