// Learning-rate schedules as Keras defines them (`keras.optimizers.schedules`; TF.js has
// none): a function of the optimizer's step (0 on the first update), usable wherever an
// optimizer takes a learning rate (`train.adam(schedules.exponentialDecay({...}))`).
// Each serialises as Keras does: {className, config} with camelCase keys.

import { checkHyper } from './hyper.js';

/**
 * A schedule's arguments as JSON-serializable values (what `getConfig` returns).
 *
 * @example
 * ```ts
 * fe.schedules.piecewiseConstantDecay({ boundaries: [100], values: [0.1, 0.01] }).getConfig();
 * // { boundaries: [100], values: [0.1, 0.01] }
 * ```
 */
export type ScheduleConfig = Record<string, number | boolean | number[] | null>;

/**
 * A learning rate as a function of the optimizer's step (Keras's `LearningRateSchedule`):
 * give one to any optimizer as its learning rate. Make them with `schedules.*`.
 *
 * @example
 * ```ts
 * const lr = fe.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96 });
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * m.compile({ optimizer: fe.train.sgd(lr), loss: 'meanSquaredError' });
 * lr.at(1000); // 0.096
 * ```
 */
export abstract class LearningRateSchedule {
  static className = 'LearningRateSchedule';
  /**
   * The learning rate at `step` (the number of updates already applied).
   *
   * @example
   * ```ts
   * fe.schedules.cosineDecay({ initialLearningRate: 1, decaySteps: 100 }).at(50); // 0.5
   * ```
   */
  abstract at(step: number): number;
  /**
   * The arguments that rebuild this schedule (Keras's config, camelCase keys).
   *
   * @example
   * ```ts
   * fe.schedules.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 1 }).getConfig();
   * // { initialLearningRate: 1, decaySteps: 10, decayRate: 1, staircase: false }
   * ```
   */
  abstract getConfig(): ScheduleConfig;
  /**
   * The registered class name (`ExponentialDecay`), as saved with the optimizer.
   *
   * @example
   * ```ts
   * fe.schedules.polynomialDecay({ initialLearningRate: 1, decaySteps: 10 }).getClassName(); // 'PolynomialDecay'
   * ```
   */
  getClassName(): string {
    return (this.constructor as typeof LearningRateSchedule).className;
  }
}

/**
 * The arguments of the exponential and inverse-time decays.
 *
 * @example
 * ```ts
 * const lr = fe.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
 * lr.at(9); // 0.1
 * lr.at(10); // 0.05
 * ```
 */
export interface DecayArgs {
  /** The learning rate at step 0. */
  initialLearningRate: number;
  /**
   * The steps over which the rate is multiplied by `decayRate` (exponential) or divided by 1 + decayRate (inverse time).
   */
  decaySteps: number;
  /** How fast the rate decays (see the schedule). */
  decayRate: number;
  /** Floor step / decaySteps, so that the rate changes every decaySteps steps (default false). */
  staircase?: boolean;
}

/** A decay driven by p = step / decaySteps (floored when `staircase`). */
abstract class StepDecay extends LearningRateSchedule {
  /** @param c The schedule's arguments. */
  constructor(readonly c: DecayArgs) {
    super();
    checkHyper(this.getClassName(), 'initialLearningRate', c.initialLearningRate);
    checkHyper(this.getClassName(), 'decaySteps', c.decaySteps, 1e-300);
    checkHyper(this.getClassName(), 'decayRate', c.decayRate);
  }
  /** The factor applied to initialLearningRate at p = step / decaySteps. */
  protected abstract decay(p: number): number;
  at(step: number): number {
    const p = step / this.c.decaySteps;
    return this.c.initialLearningRate * this.decay(this.c.staircase ? Math.floor(p) : p);
  }
  getConfig(): ScheduleConfig {
    return { ...this.c, staircase: this.c.staircase ?? false };
  }
}

/**
 * `initialLearningRate · decayRate^(step / decaySteps)`, the exponent floored when `staircase`.
 *
 * @example
 * ```ts
 * fe.schedules.exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 }).at(20); // 0.25
 * ```
 */
export class ExponentialDecay extends StepDecay {
  static override className = 'ExponentialDecay';
  protected decay(p: number): number {
    return this.c.decayRate ** p;
  }
}

/**
 * `initialLearningRate / (1 + decayRate · step / decaySteps)`, the ratio floored when `staircase`.
 *
 * @example
 * ```ts
 * fe.schedules.inverseTimeDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 1 }).at(10); // 0.5
 * ```
 */
export class InverseTimeDecay extends StepDecay {
  static override className = 'InverseTimeDecay';
  protected decay(p: number): number {
    return 1 / (1 + this.c.decayRate * p);
  }
}

/**
 * `values[0]` while step <= boundaries[0], `values[i]` while boundaries[i-1] < step <=
 * boundaries[i], the last value after the last boundary (values has one more entry).
 *
 * @example
 * ```ts
 * const lr = fe.schedules.piecewiseConstantDecay({ boundaries: [100, 200], values: [0.1, 0.01, 0.001] });
 * [lr.at(100), lr.at(101), lr.at(500)]; // [0.1, 0.01, 0.001]
 * ```
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  static override className = 'PiecewiseConstantDecay';
  /** @param c `boundaries` (increasing steps) and `values` (one more than the boundaries). */
  constructor(
    readonly c: {
      /** Increasing steps where the rate changes. */
      boundaries: number[];
      /** The rate in each interval: one more entry than boundaries. */
      values: number[];
    },
  ) {
    super();
    const { boundaries, values } = c;
    if (!Array.isArray(boundaries) || !Array.isArray(values) || values.length !== boundaries.length + 1) {
      throw new Error(
        `ferrite: PiecewiseConstantDecay: values must have one more entry than boundaries, got ${values?.length} values and ${boundaries?.length} boundaries`,
      );
    }
    boundaries.forEach((b, i) => {
      if (!Number.isFinite(b) || (i > 0 && b <= boundaries[i - 1]))
        throw new Error(`ferrite: PiecewiseConstantDecay: boundaries must be increasing numbers, got [${boundaries}]`);
    });
    values.forEach((v) => checkHyper('PiecewiseConstantDecay', 'each value', v));
  }
  at(step: number): number {
    const i = this.c.boundaries.findIndex((b) => step <= b);
    return this.c.values[i < 0 ? this.c.values.length - 1 : i];
  }
  getConfig(): ScheduleConfig {
    return { boundaries: [...this.c.boundaries], values: [...this.c.values] };
  }
}

/**
 * `(initial - end) (1 - s / decaySteps)^power + end` with s = min(step, decaySteps);
 * with `cycle`, decaySteps grows to the next multiple of itself past the step instead.
 *
 * @example
 * ```ts
 * const lr = fe.schedules.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0 });
 * lr.at(5); // 0.5: linear by default
 * ```
 */
export class PolynomialDecay extends LearningRateSchedule {
  static override className = 'PolynomialDecay';
  constructor(
    /** The schedule's arguments. */
    readonly c: {
      /** The learning rate at step 0. */
      initialLearningRate: number;
      /** The steps the decay takes. */
      decaySteps: number;
      /** The rate after decaySteps (default 1e-4). */
      endLearningRate?: number;
      /** The polynomial's power (default 1: linear). */
      power?: number;
      /** Start again after decaySteps, over the next multiple of decaySteps (default false). */
      cycle?: boolean;
    },
  ) {
    super();
    checkHyper(this.getClassName(), 'initialLearningRate', c.initialLearningRate);
    checkHyper(this.getClassName(), 'decaySteps', c.decaySteps, 1e-300);
    checkHyper(this.getClassName(), 'endLearningRate', c.endLearningRate ?? 1e-4);
    checkHyper(this.getClassName(), 'power', c.power ?? 1);
  }
  at(step: number): number {
    const { initialLearningRate: lr0, endLearningRate: end = 1e-4, power = 1, cycle = false } = this.c;
    let steps = this.c.decaySteps;
    let s = step;
    if (cycle) steps *= step === 0 ? 1 : Math.ceil(step / steps);
    else s = Math.min(step, steps);
    return (lr0 - end) * (1 - s / steps) ** power + end;
  }
  getConfig(): ScheduleConfig {
    const { endLearningRate = 1e-4, power = 1, cycle = false } = this.c;
    return { ...this.c, endLearningRate, power, cycle };
  }
}

/**
 * Cosine decay from `initialLearningRate` to `alpha · initialLearningRate` over
 * `decaySteps`: lr0 ((1 - alpha) ½ (1 + cos(π s / decaySteps)) + alpha), s = min(step,
 * decaySteps). With `warmupSteps` > 0 the rate first rises linearly from
 * `initialLearningRate` to `warmupTarget`, then decays from `warmupTarget`.
 *
 * @example
 * ```ts
 * const lr = fe.schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 100, warmupSteps: 10, warmupTarget: 1 });
 * [lr.at(5), lr.at(10), lr.at(110)]; // [0.5, 1, 0]: warmup, then cosine decay
 * ```
 */
export class CosineDecay extends LearningRateSchedule {
  static override className = 'CosineDecay';
  constructor(
    /** The schedule's arguments. */
    readonly c: {
      /** The learning rate at step 0. */
      initialLearningRate: number;
      /** The steps the decay takes. */
      decaySteps: number;
      /** The final rate as a fraction of the initial one (default 0). */
      alpha?: number;
      /** The rate reached at the end of the warmup (default null: no warmup). */
      warmupTarget?: number | null;
      /** Steps of linear warmup before the decay (default 0). */
      warmupSteps?: number;
    },
  ) {
    super();
    checkHyper(this.getClassName(), 'initialLearningRate', c.initialLearningRate);
    checkHyper(this.getClassName(), 'decaySteps', c.decaySteps, 1e-300);
    checkHyper(this.getClassName(), 'alpha', c.alpha ?? 0, 0, 1);
    checkHyper(this.getClassName(), 'warmupSteps', c.warmupSteps ?? 0);
    if (c.warmupTarget != null) checkHyper(this.getClassName(), 'warmupTarget', c.warmupTarget);
  }
  at(step: number): number {
    const { initialLearningRate: lr0, decaySteps, alpha = 0, warmupTarget = null, warmupSteps = 0 } = this.c;
    if (warmupTarget === null || warmupSteps === 0) return lr0 * cosine(Math.min(step, decaySteps) / decaySteps, alpha);
    if (step < warmupSteps) return lr0 + ((warmupTarget - lr0) * step) / warmupSteps;
    return warmupTarget * cosine(Math.min(step - warmupSteps, decaySteps) / decaySteps, alpha);
  }
  getConfig(): ScheduleConfig {
    const { alpha = 0, warmupTarget = null, warmupSteps = 0 } = this.c;
    return { ...this.c, alpha, warmupTarget, warmupSteps };
  }
}

const cosine = (fraction: number, alpha: number) => (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha;

const SCHEDULES = [ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay];

/** A schedule from `{className, config}` (what `getClassName()` and `getConfig()` give). */
export function scheduleFromConfig(className: string, config: ScheduleConfig): LearningRateSchedule {
  const cls = SCHEDULES.find((c) => c.className === className);
  if (!cls) {
    throw new Error(
      `ferrite: scheduleFromConfig: unknown schedule '${className}'; valid: ${SCHEDULES.map((c) => c.className).join(', ')}`,
    );
  }
  return new (cls as unknown as new (c: ScheduleConfig) => LearningRateSchedule)(config);
}

/**
 * Keras-style factories: `schedules.exponentialDecay({initialLearningRate, decaySteps, decayRate})`.
 *
 * @example
 * ```ts
 * const lr = fe.schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 1000 });
 * const opt = fe.train.adam(lr);
 * opt.learningRate; // 0.01 at step 0
 * ```
 */
export const schedules = {
  /** `initialLearningRate · decayRate^(step / decaySteps)` (Keras's ExponentialDecay). */
  exponentialDecay: (c: ConstructorParameters<typeof ExponentialDecay>[0]) => new ExponentialDecay(c),
  /** `initialLearningRate / (1 + decayRate · step / decaySteps)` (Keras's InverseTimeDecay). */
  inverseTimeDecay: (c: ConstructorParameters<typeof InverseTimeDecay>[0]) => new InverseTimeDecay(c),
  /** A constant rate per interval of steps between `boundaries` (Keras's PiecewiseConstantDecay). */
  piecewiseConstantDecay: (c: ConstructorParameters<typeof PiecewiseConstantDecay>[0]) => new PiecewiseConstantDecay(c),
  /** A polynomial decay from initialLearningRate to endLearningRate over decaySteps (Keras's PolynomialDecay). */
  polynomialDecay: (c: ConstructorParameters<typeof PolynomialDecay>[0]) => new PolynomialDecay(c),
  /** A cosine decay over decaySteps, after an optional linear warmup (Keras's CosineDecay). */
  cosineDecay: (c: ConstructorParameters<typeof CosineDecay>[0]) => new CosineDecay(c),
};
