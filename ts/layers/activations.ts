// Activation identifiers of layers ('relu', 'softmax', 'linear', ...) resolved to ops.
// The functions and their lookup live in ts/ops/activations.ts; this keeps the
// canonical name beside the function, for configs and for the fused softmax +
// cross-entropy training path (which looks for 'softmax').

import type { Tensor } from '../tensor/tensor.js';
import { getActivation, getActivationName, type ActivationFn } from '../ops/activations.js';

export type { ActivationFn };
/**
 * An activation: its name ('relu', 'sigmoid', 'softmax', 'tanh', 'linear', ...), a function, or null/undefined for linear.
 *
 * @example
 * ```ts
 * fe.layers.dense({ units: 4, activation: 'gelu' }); // a name; or a function of a tensor; or null for linear
 * ```
 */
export type ActivationIdentifier = string | ActivationFn | null | undefined;

export interface Activation {
  /** Canonical name ('relu', 'softmax', 'linear'), saved in configs. */
  readonly name: string;
  readonly apply: ActivationFn;
}

/** Resolves an activation identifier (a name, a function, or none for linear). */
export function resolveActivation(id: ActivationIdentifier, layer: string): Activation {
  if (id !== null && id !== undefined && typeof id !== 'string' && typeof id !== 'function') {
    throw new Error(`ferrite: ${layer}: activation must be a name or a function, got ${typeof id}`);
  }
  let fn: ActivationFn;
  try {
    fn = getActivation(id);
  } catch (e) {
    throw new Error(`ferrite: ${layer}: ${(e as Error).message.replace(/^ferrite: getActivation: /, '')}`);
  }
  const name = getActivationName(fn) ?? (typeof id === 'function' ? id.name || 'custom' : String(id));
  return { name, apply: fn };
}
