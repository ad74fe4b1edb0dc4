// Scopes for automatic disposal (`tidy`), and `keep`.
//
// Every tensor made while a scope is open is recorded in it; when the scope closes,
// the ones not kept and not returned are disposed. What the function returns moves
// to the enclosing scope, as in TF.js.

export interface Tracked {
  readonly isTensor: true;
  kept: boolean;
  readonly isDisposed: boolean;
  dispose(): void;
}

const scopes: Tracked[][] = [];

export function track<T extends Tracked>(t: T): T {
  if (scopes.length > 0) scopes[scopes.length - 1].push(t);
  return t;
}

/**
 * Marks a tensor so that no enclosing `tidy` disposes it.
 *
 * @example
 * ```ts
 * let kept!: fe.Tensor;
 * fe.tidy(() => {
 *   kept = fe.keep(fe.tensor1d([1, 2]));
 *   fe.tensor1d([3, 4]); // disposed when tidy returns
 * });
 * kept.print(); // [1, 2]
 * kept.dispose();
 * ```
 */
export function keep<T extends Tracked>(t: T): T {
  t.kept = true;
  return t;
}

/**
 * What `tidy` may return and `dispose` accepts: a tensor, or arrays and objects holding tensors (any depth), or plain values.
 *
 * @example
 * ```ts
 * const { mean, std } = fe.tidy(() => {
 *   const x = fe.tensor1d([1, 2, 3, 4]);
 *   return { mean: x.mean(), std: fe.moments(x).variance.sqrt() };
 * });
 * mean.print(); // 2.5
 * ```
 */
export type TensorContainer =
  void | Tracked | string | number | boolean | null | undefined | TensorContainer[] | { [k: string]: TensorContainer };

/** Finds every tensor reachable from `result` (any depth, any object, cycles allowed), as TF.js does. */
function collect(result: unknown, into: Set<Tracked>, seen = new Set<object>()): void {
  if (result === null || typeof result !== 'object' || seen.has(result)) return;
  seen.add(result);
  if ((result as Tracked).isTensor === true) {
    into.add(result as Tracked);
    return;
  }
  if (ArrayBuffer.isView(result) || result instanceof ArrayBuffer) return;
  const values = Array.isArray(result) ? result : result instanceof Map ? [...result.values()] : Object.values(result);
  for (const r of values) collect(r, into, seen);
}

/**
 * Runs `fn` and disposes every tensor it made except those it returns (in an array or
 * plain object too) and those passed to `keep`. `fn` must not return a promise.
 *
 * @example
 * ```ts
 * const y = fe.tidy(() => {
 *   const x = fe.tensor1d([1, 2, 3]);
 *   return x.square().sum(); // x and x.square() are disposed; the sum is kept
 * });
 * ```
 */
export function tidy<T extends TensorContainer>(fn: () => T): T;
export function tidy<T extends TensorContainer>(name: string, fn: () => T): T;
export function tidy<T extends TensorContainer>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn!;
  startScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    endScope();
    throw e;
  }
  endScope(result);
  if (result instanceof Promise) {
    throw new Error(
      'ferrite: tidy() cannot take an async function: tensors would be disposed before the promise resolves',
    );
  }
  return result;
}

/** Opens a scope by hand (for loops that cannot be written as one function). */
export function startScope(): void {
  scopes.push([]);
}

/** Closes a scope opened with `startScope`, disposing what it made except `keepers`. */
export function endScope(keepers: TensorContainer = undefined): void {
  const scope = scopes.pop();
  if (!scope) throw new Error('ferrite: endScope() without startScope()');
  const returned = new Set<Tracked>();
  collect(keepers, returned);
  const parent = scopes.length > 0 ? scopes[scopes.length - 1] : undefined;
  for (const t of scope) {
    if (returned.has(t)) parent?.push(t);
    else if (!t.kept && !t.isDisposed) t.dispose();
  }
}

/** Every tensor reachable from `container` (TF.js's `tensor_util.getTensorsInContainer`). */
export function tensorsIn(container: unknown): Set<Tracked> {
  const found = new Set<Tracked>();
  collect(container, found);
  return found;
}

/**
 * Disposes every tensor in a tensor, array or plain object of tensors, like `tf.dispose`.
 *
 * @example
 * ```ts
 * const a = fe.tensor1d([1]);
 * const b = fe.tensor1d([2]);
 * fe.dispose([a, { b }]);
 * a.isDisposed; // true
 * ```
 */
export function dispose(container: TensorContainer): void {
  for (const t of tensorsIn(container)) t.dispose();
}
