// Names for layers and their weights, generated as Keras does: `dense_1`, `dense_2`,
// `dense_1/kernel`. Auto-generated names never repeat one already given out.

import { registeredVariables } from '../tensor/tensor.js';

const counters = new Map<string, number>();
const usedNames = new Set<string>();

/** 'Dense' -> 'dense', 'SimpleRNN' -> 'simple_rnn', 'Conv2D' -> 'conv2d'. */
export function toSnakeCase(name: string): string {
  // Keras's to_snake_case: split before capitalised words, then at lower-to-upper.
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The next free `<prefix>_<n>`, n counting from 1 per prefix. */
export function uniqueName(prefix: string): string {
  let n = counters.get(prefix) ?? 0;
  let name: string;
  do {
    n++;
    name = `${prefix}_${n}`;
  } while (usedNames.has(name));
  counters.set(prefix, n);
  usedNames.add(name);
  return name;
}

/** Records a name chosen by the user so that generated names avoid it. */
export function claimName(name: string): void {
  usedNames.add(name);
}

/**
 * A variable name not used by any live variable: `base`, else `base_1`, `base_2`, ...
 * (two models may each have a layer the user named 'dense').
 */
export function uniqueVariableName(base: string): string {
  const live = new Set(registeredVariables().map((v) => v.name));
  if (!live.has(base)) return base;
  for (let k = 1; ; k++) {
    const candidate = `${base}_${k}`;
    if (!live.has(candidate)) return candidate;
  }
}
