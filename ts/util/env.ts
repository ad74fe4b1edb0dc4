// `tf.env()`: the flags TF.js programs read and set. Ferrite runs one kind of backend
// (wasm), so most TF.js flags are accepted for compatibility and change nothing; each
// flag below says what it does here. Like TF.js, setting or reading an unknown flag
// throws, naming the known ones.

/** The value of an environment flag. @inline */
type FlagValue = number | boolean | string;

interface FlagSpec {
  evaluate: () => FlagValue;
  /** What the flag does in Ferrite (for the error listing and the docs). */
  effect: string;
}

const isNode = (): boolean => typeof process !== 'undefined' && typeof process.versions?.node === 'string';
const isBrowser = (): boolean =>
  typeof window !== 'undefined' || typeof (globalThis as { importScripts?: unknown }).importScripts === 'function';

const FLAGS: Record<string, FlagSpec> = {
  IS_BROWSER: { evaluate: isBrowser, effect: 'read-only fact: running in a browser or web worker' },
  IS_NODE: { evaluate: isNode, effect: 'read-only fact: running in Node.js' },
  IS_TEST: { evaluate: () => false, effect: 'accepted, no effect' },
  DEBUG: { evaluate: () => false, effect: 'accepted, no effect (Ferrite checks inputs always)' },
  PROD: { evaluate: () => false, effect: 'accepted, no effect' },
  EPSILON: { evaluate: () => 1e-7, effect: 'the fuzz factor TF.js backends report; Ferrite uses 1e-7' },
  KEEP_INTERMEDIATE_TENSORS: { evaluate: () => false, effect: 'accepted, no effect' },
  CHECK_COMPUTATION_FOR_ERRORS: { evaluate: () => false, effect: 'accepted, no effect' },
  TENSORLIKE_CHECK_SHAPE_CONSISTENCY: { evaluate: () => true, effect: 'accepted; Ferrite always checks' },
  WASM_HAS_SIMD_SUPPORT: { evaluate: () => true, effect: 'accepted, no effect (the build is chosen by setBackend)' },
  WASM_HAS_MULTITHREAD_SUPPORT: { evaluate: () => true, effect: 'accepted, no effect (setThreadsCount)' },
  WEBGL_VERSION: { evaluate: () => 0, effect: 'accepted, no effect (no WebGL backend)' },
  WEBGL_PACK: { evaluate: () => false, effect: 'accepted, no effect (no WebGL backend)' },
  WEBGL_CPU_FORWARD: { evaluate: () => false, effect: 'accepted, no effect (no WebGL backend)' },
  WEBGL_FORCE_F16_TEXTURES: { evaluate: () => false, effect: 'accepted, no effect (no WebGL backend)' },
  WEBGL_DELETE_TEXTURE_THRESHOLD: { evaluate: () => -1, effect: 'accepted, no effect (no WebGL backend)' },
};

/**
 * Ferrite's environment, like TF.js's `Environment`.
 *
 * @example
 * ```ts
 * const env = fe.env(); // the Environment
 * env.getBool('IS_NODE'); // true in Node
 * ```
 */
export class Environment {
  private flags: Record<string, FlagValue> = {};

  /**
   * The flag's value (set, or else its default); throws for an unknown flag.
   *
   * @example
   * ```ts
   * fe.env().get('EPSILON'); // 1e-7
   * ```
   */
  get(flagName: string): FlagValue {
    if (flagName in this.flags) return this.flags[flagName];
    const spec = this.spec(flagName, 'evaluate');
    this.flags[flagName] = spec.evaluate();
    return this.flags[flagName];
  }

  /**
   * The flag's value as a boolean.
   *
   * @example
   * ```ts
   * fe.env().getBool('IS_BROWSER'); // false in Node
   * ```
   */
  getBool(flagName: string): boolean {
    return this.get(flagName) as boolean;
  }

  /**
   * The flag's value as a number.
   *
   * @example
   * ```ts
   * fe.env().getNumber('WEBGL_VERSION'); // 0: there is no WebGL backend
   * ```
   */
  getNumber(flagName: string): number {
    return this.get(flagName) as number;
  }

  /**
   * The flag's value as a string.
   *
   * @example
   * ```ts
   * fe.env().registerFlag('MY_LIB_MODE', () => 'fast');
   * fe.env().getString('MY_LIB_MODE'); // 'fast'
   * ```
   */
  getString(flagName: string): string {
    return this.get(flagName) as string;
  }

  /**
   * Sets a known flag; throws for an unknown one.
   *
   * @example
   * ```ts
   * fe.env().set('DEBUG', true); // accepted; Ferrite checks inputs always
   * fe.env().getBool('DEBUG'); // true
   * ```
   */
  set(flagName: string, value: FlagValue): void {
    this.spec(flagName, 'set');
    this.flags[flagName] = value;
  }

  /**
   * Sets several flags at once (unknown ones are kept, as TF.js's setFlags does not check).
   *
   * @example
   * ```ts
   * fe.env().setFlags({ DEBUG: false, PROD: true });
   * fe.env().getBool('PROD'); // true
   * ```
   */
  setFlags(flags: Record<string, FlagValue>): void {
    this.flags = { ...this.flags, ...flags };
  }

  /**
   * The flags evaluated or set so far.
   *
   * @example
   * ```ts
   * fe.env().get('IS_NODE');
   * fe.env().getFlags(); // { IS_NODE: true, ... }: the flags read or set so far
   * ```
   */
  getFlags(): Record<string, FlagValue> {
    return { ...this.flags };
  }

  /**
   * Forgets set values: flags return to their defaults.
   *
   * @example
   * ```ts
   * fe.env().set('PROD', true);
   * fe.env().reset();
   * fe.env().getBool('PROD'); // false: back to its default
   * ```
   */
  reset(): void {
    this.flags = {};
  }

  /**
   * Registers a flag (for libraries that define their own), like TF.js's registerFlag.
   *
   * @example
   * ```ts
   * fe.env().registerFlag('MY_FLAG', () => 42);
   * fe.env().getNumber('MY_FLAG'); // 42
   * ```
   */
  registerFlag(flagName: string, evaluationFn: () => FlagValue): void {
    FLAGS[flagName] = { evaluate: evaluationFn, effect: 'registered by the program' };
  }

  private spec(flagName: string, what: 'set' | 'evaluate'): FlagSpec {
    const spec = FLAGS[flagName];
    if (!spec) {
      throw new Error(
        `ferrite: cannot ${what} flag '${flagName}': it is not registered (known: ${Object.keys(FLAGS).join(', ')})`,
      );
    }
    return spec;
  }
}

const ENV = new Environment();

/**
 * The environment, like `tf.env()`.
 *
 * @example
 * ```ts
 * fe.env().getBool('IS_NODE'); // true in Node, false in a browser
 * ```
 */
export function env(): Environment {
  return ENV;
}
