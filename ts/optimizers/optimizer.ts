// The optimizer base class: applies gradients to registered variables in place, keeps
// the per-variable slot buffers (moments, accumulators) in wasm memory, and saves and
// restores them. Subclasses name their slots and call one fused update kernel
// (core-rs/src/optimizer.rs) per variable.

import { variableGrads } from '../autograd/tape.js';
import { scalar } from '../tensor/creation.js';
import { keep } from '../tensor/scope.js';
import { Tensor, Variable, emptyTensor, registeredVariables, writable, zerosTensor } from '../tensor/tensor.js';
import { fmtShape, sameShape } from '../ops/util.js';
import { checkHyper } from './hyper.js';
import { LearningRateSchedule, scheduleFromConfig, type ScheduleConfig } from './schedules.js';
import { clipGradients, type ClipOptions } from './clipping.js';
import { UpdatePass } from '../backend/core-abi.js';

export { checkHyper } from './hyper.js';

/**
 * A tensor with the name of the weight it belongs to (how optimizers save their state).
 *
 * @example
 * ```ts
 * const w = fe.variable(fe.tensor1d([1]), true, 'w5');
 * const opt = fe.train.sgd(0.1);
 * opt.applyGradients([{ name: 'w5', tensor: fe.tensor1d([1]) }]);
 * w.print(); // [0.9]
 * ```
 */
export interface NamedTensor {
  /** The weight's name. */
  name: string;
  /** The value. */
  tensor: Tensor;
}
/**
 * Tensors by name.
 *
 * @example
 * ```ts
 * const w = fe.variable(fe.tensor1d([1]), true, 'w6');
 * fe.train.sgd(0.1).applyGradients({ w6: fe.tensor1d([1]) }); // a NamedTensorMap
 * w.print(); // [0.9]
 * ```
 */
export type NamedTensorMap = Record<string, Tensor>;
/**
 * A serialised learning-rate schedule (Keras's form, camelCase keys).
 *
 * @example
 * ```ts
 * const lr = fe.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 });
 * fe.train.sgd(lr).getConfig().learningRate; // { className: 'ExponentialDecay', config: {...} }
 * ```
 */
export interface SerializedSchedule {
  /** The schedule's class name (`ExponentialDecay`). */
  className: string;
  /** The schedule's arguments. */
  config: ScheduleConfig;
}
/**
 * An optimizer's hyperparameters by name, as `getConfig` returns and model.json saves them.
 *
 * @example
 * ```ts
 * fe.train.rmsprop(0.01).getConfig(); // { learningRate: 0.01, decay: 0.9, momentum: 0, epsilon: 1e-7, centered: false }
 * ```
 */
export type OptimizerConfig = Record<string, number | boolean | string | null | SerializedSchedule>;

/**
 * The largest backup (bytes of weights and slots saved before a checked step overwrites
 * them) for which `applyGradientsIfFinite` updates in one pass and undoes it when a value
 * is not finite; above it, a checking pass runs first and nothing needs saving. The backup
 * is heap memory for the length of the step, and wasm memory never shrinks: 16 MiB covers
 * Adam on models of up to 1.4M weights, where the optimizer is a large share of a step;
 * on larger ones the arithmetic of the step dwarfs the second pass.
 */
let undoBudgetBytes = 16 * 2 ** 20;

/**
 * Sets the backup budget of `applyGradientsIfFinite`'s one-pass update (0 forces the
 * checking pass). Returns the previous budget. For tests and benchmarks, which compare the
 * two ways.
 */
export function setUndoBudget(bytes: number): number {
  const previous = undoBudgetBytes;
  undoBudgetBytes = bytes;
  return previous;
}

/** Keras's gradient clipping options, saved in the config when set. */
const CLIP_KEYS = ['clipnorm', 'clipvalue', 'globalClipnorm'] as const;

/** Slot buffers of one variable, in the order of `slotNames()`, and the variable that owns them. */
interface SlotEntry {
  owner: Variable | null;
  tensors: (Tensor | null)[];
}

/**
 * The base of every optimizer (`train.sgd`, `train.adam`, ...), as TF.js's `tf.Optimizer`:
 * `minimize(f)` or `applyGradients(grads)` update variables; `getWeights`/`setWeights` hold
 * its slots; `getConfig` serializes it.
 *
 * @example
 * ```ts
 * const w = fe.variable(fe.scalar(5));
 * const opt = fe.train.sgd(0.1);
 * for (let i = 0; i < 50; i++) opt.minimize(() => w.square()); // gradient descent on w²
 * w.print(); // about 0.00007: 5 · 0.8^50
 * ```
 */
export abstract class Optimizer {
  /** The class name used in configs (TF.js's: 'SGD', 'Momentum', 'Adam', 'RMSProp'). */
  static className = 'Optimizer';
  /**
   * The constructor's parameters in order, named as the hyper-parameters this object
   * holds: what getConfig saves and fromConfig passes back.
   */
  static configKeys: readonly string[] = ['learningRate'];

  /**
   * A new optimizer from `getConfig()`'s output (a missing entry takes its default).
   *
   * @example
   * ```ts
   * const opt = fe.train.adam(0.01, 0.8);
   * const Adam = opt.constructor as unknown as { fromConfig(config: fe.OptimizerConfig): fe.Optimizer };
   * Adam.fromConfig(opt.getConfig()).getConfig().beta1; // 0.8
   * ```
   */
  static fromConfig<T extends Optimizer>(this: new (...args: never[]) => T, config: OptimizerConfig): T {
    const keys = (this as unknown as typeof Optimizer).configKeys;
    const args = keys.map((k) => {
      const v = config[k];
      if (k !== 'learningRate' || v === null || typeof v !== 'object') return v;
      // A schedule, as getConfig writes it (or Keras: class_name, converted to className).
      const named = v as SerializedSchedule & { class_name?: string };
      return scheduleFromConfig(named.className ?? named.class_name, named.config);
    });
    const opt = new (this as unknown as new (...args: unknown[]) => T)(...args);
    for (const k of CLIP_KEYS) if (typeof config[k] === 'number') opt[k] = config[k] as number;
    return opt;
  }
  private lr: number;
  private schedule: LearningRateSchedule | null = null;
  /**
   * The learning rate of the update being applied: the constant rate, or the schedule's
   * value at the step (0 on the first update, as Keras). Subclasses read this in `update`.
   */
  protected stepLearningRate = 0;
  private clip: ClipOptions = { clipnorm: null, clipvalue: null, globalClipnorm: null };
  private iterationCount = 0;
  private slots = new Map<string, SlotEntry>();
  private disposed = false;

  constructor(learningRate: number | LearningRateSchedule) {
    if (learningRate instanceof LearningRateSchedule) {
      this.schedule = learningRate;
      this.lr = learningRate.at(0);
    } else {
      checkHyper(this.getClassName(), 'learningRate', learningRate);
      this.lr = learningRate;
    }
  }

  /**
   * The registered class name (`Adam`), as saved in model.json.
   *
   * @example
   * ```ts
   * fe.train.momentum(0.1, 0.9).getClassName(); // 'Momentum'
   * ```
   */
  getClassName(): string {
    return (this.constructor as typeof Optimizer).className;
  }

  /**
   * The learning rate the next update uses (with a schedule, its value at the current
   * step). Assign a number to change it between steps (callbacks): that replaces a schedule.
   */
  get learningRate(): number {
    return this.schedule ? this.schedule.at(this.iterationCount) : this.lr;
  }
  /** Sets a constant learning rate (replacing a schedule). */
  set learningRate(v: number) {
    checkHyper(this.getClassName(), 'learningRate', v);
    this.lr = v;
    this.schedule = null;
  }
  /** The schedule given as learning rate, or null for a constant rate. */
  get learningRateSchedule(): LearningRateSchedule | null {
    return this.schedule;
  }

  /**
   * Keras's gradient clipping: each gradient rescaled to an L2 norm of at most `clipnorm`;
   * or all of one step's gradients rescaled together to a global norm of at most
   * `globalClipnorm`; or, when neither is set, each element clipped to
   * [-clipvalue, clipvalue]. null (the default): no clipping.
   */
  get clipnorm(): number | null {
    return this.clip.clipnorm;
  }
  /** Sets `clipnorm` (null: off); it cannot be set together with `globalClipnorm`. */
  set clipnorm(v: number | null) {
    this.setClip('clipnorm', v);
  }
  /**
   * Each gradient element clipped to [-clipvalue, clipvalue] (when clipnorm and globalClipnorm are not set); null: off.
   */
  get clipvalue(): number | null {
    return this.clip.clipvalue;
  }
  /** Sets `clipvalue` (null: off). */
  set clipvalue(v: number | null) {
    this.setClip('clipvalue', v);
  }
  /** All of one step's gradients rescaled together to a global L2 norm of at most this; null: off. */
  get globalClipnorm(): number | null {
    return this.clip.globalClipnorm;
  }
  /** Sets `globalClipnorm` (null: off); it cannot be set together with `clipnorm`. */
  set globalClipnorm(v: number | null) {
    this.setClip('globalClipnorm', v);
  }
  private setClip(key: keyof ClipOptions, v: number | null): void {
    if (v !== null) checkHyper(this.getClassName(), key, v, 1e-300);
    const other = key === 'clipnorm' ? 'globalClipnorm' : key === 'globalClipnorm' ? 'clipnorm' : null;
    if (v !== null && other !== null && this.clip[other] !== null) {
      throw new Error(`ferrite: ${this.getClassName()}: only one of clipnorm and globalClipnorm can be set (as Keras)`);
    }
    this.clip[key] = v;
  }
  /**
   * Sets a constant learning rate, as assigning `learningRate` does (replacing a schedule).
   *
   * @example
   * ```ts
   * const opt = fe.train.sgd(0.1);
   * opt.setLearningRate(0.01);
   * opt.learningRate; // 0.01
   * ```
   */
  setLearningRate(v: number): void {
    this.learningRate = v;
  }

  /** Number of `applyGradients` calls so far (restored by `setWeights`). */
  get iterations(): number {
    return this.iterationCount;
  }

  /** Names of this optimizer's per-variable slots, as saved: `${variable}/${slot}`. */
  protected abstract slotNames(): string[];
  /** Which slots this configuration uses (e.g. RMSprop's momentum only when momentum > 0). */
  protected slotUsed(_slot: number): boolean {
    return true;
  }
  /** A new slot `k` for `v` (kept out of any tidy): zeros unless the optimizer says otherwise. */
  protected initialSlot(v: Variable, _k: number): Tensor {
    return keep(zerosTensor(v.shape, 'float32', v.engine));
  }
  /**
   * Updates `v` in place from gradient `g`; `slots` follow `slotNames()` (null where
   * unused). `pass` is the update kernels' (core-rs/src/optimizer.rs): COMMIT stores the
   * update and says whether every new value of `v` and of its slots is finite, first saving
   * the old values at `backup` (a wasm byte pointer; 0: nothing saved) when given; RESTORE
   * copies them back from there; CHECK changes nothing and says whether every updated
   * value would be finite.
   */
  protected abstract update(
    v: Variable,
    g: Tensor,
    slots: (Tensor | null)[],
    pass: UpdatePass,
    backup: number,
  ): boolean;

  /**
   * The hyper-parameters, by name (`{learningRate: 0.001, beta1: 0.9, ...}`).
   *
   * @example
   * ```ts
   * fe.train.adam(0.01).getConfig(); // { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }
   * ```
   */
  getConfig(): OptimizerConfig {
    const values = this as unknown as OptimizerConfig;
    const config: OptimizerConfig = Object.fromEntries(
      (this.constructor as typeof Optimizer).configKeys.map((k) => [k, values[k]]),
    );
    if (this.schedule)
      config.learningRate = { className: this.schedule.getClassName(), config: this.schedule.getConfig() };
    for (const k of CLIP_KEYS) if (this.clip[k] !== null) config[k] = this.clip[k];
    return config;
  }

  /**
   * Applies one step of gradients to the variables they are named after (a map from
   * variable name to gradient, as `variableGrads` returns, or a list of {name, tensor}).
   * The gradients are not disposed. Null entries are skipped.
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.tensor1d([1, 2]), true, 'w');
   * fe.train.sgd(0.5).applyGradients({ w: fe.tensor1d([2, 2]) });
   * w.print(); // [0, 1]
   * ```
   */
  applyGradients(grads: NamedTensorMap | NamedTensor[]): void {
    const work = this.checkGradients('applyGradients', grads);
    this.stepLearningRate = this.learningRate;
    this.iterationCount++;
    clipGradients(this.clip, work, (clipped) => {
      for (const [v, g] of clipped) this.update(v, g, this.slotsFor(v), UpdatePass.COMMIT, 0);
    });
    this.pruneSlots();
  }

  /**
   * As `applyGradients`, all or nothing: if any updated weight or optimizer slot would be
   * NaN or ±Infinity, no variable, slot or iteration count changes and the variable's name
   * is returned (null when the step was applied). fit and trainOnBatch step with this;
   * TF.js's optimizers (and `applyGradients`) apply whatever the arithmetic gives. Each
   * update saves the values it overwrites and is undone when a value is not finite, so a
   * finite step (the usual one) costs one pass; past a backup budget (16 MiB), or with
   * variables on several wasm builds, a checking pass that writes nothing runs first.
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.tensor1d([1, 2]), true, 'w2');
   * fe.train.sgd(0.5).applyGradientsIfFinite({ w2: fe.tensor1d([NaN, 2]) }); // 'w2': the step is skipped
   * w.print(); // [1, 2]
   * ```
   */
  applyGradientsIfFinite(grads: NamedTensorMap | NamedTensor[]): string | null {
    const work = this.checkGradients('applyGradientsIfFinite', grads);
    // Slots made for this step alone are freed again if it is refused.
    const fresh = work.map(([v]) => v.name).filter((name) => !this.slots.has(name));
    this.stepLearningRate = this.learningRate;
    this.iterationCount++;
    let blocked: string | null = null;
    clipGradients(this.clip, work, (clipped) => {
      const undoable = this.updateOrUndo(clipped);
      blocked = undoable !== undefined ? undoable : this.checkThenUpdate(clipped);
    });
    if (blocked !== null) {
      this.iterationCount--;
      for (const name of fresh) {
        const entry = this.slots.get(name);
        if (entry) this.freeEntry(entry);
        this.slots.delete(name);
      }
      return blocked;
    }
    this.pruneSlots();
    return null;
  }

  /**
   * Updates every variable in one pass, saving what each update overwrites in a scratch
   * buffer, and undoes them all (newest first) when one leaves a value that is not finite.
   * Returns the name of that variable, null when all were applied, or undefined (nothing
   * done) when the backup would not fit the budget or the variables live on several builds.
   */
  private updateOrUndo(clipped: [Variable, Tensor][]): string | null | undefined {
    if (clipped.length === 0) return null;
    const eng = clipped[0][0].engine;
    const slots = clipped.map(([v]) => this.slotsFor(v));
    // Floats saved per variable: the variable and each slot in use.
    const saved = clipped.map(([v], i) => v.size * (1 + slots[i].filter((t) => t !== null).length));
    const bytes = 4 * saved.reduce((a, b) => a + b, 0);
    if (bytes > undoBudgetBytes || clipped.some(([v]) => v.engine !== eng)) return undefined;
    const backup = eng.alloc(bytes);
    try {
      const at: number[] = [];
      let next = backup;
      for (let i = 0; i < clipped.length; i++) {
        const [v, g] = clipped[i];
        at.push(next);
        next += 4 * saved[i];
        if (this.update(v, g, slots[i], UpdatePass.COMMIT, at[i])) continue;
        for (let j = i; j >= 0; j--) this.update(clipped[j][0], clipped[j][1], slots[j], UpdatePass.RESTORE, at[j]);
        return v.name;
      }
      return null;
    } finally {
      eng.free(backup, bytes);
    }
  }

  /** Checks every update with a pass that writes nothing, then applies them all if all are finite. */
  private checkThenUpdate(clipped: [Variable, Tensor][]): string | null {
    const blocked = clipped.find(([v, g]) => !this.update(v, g, this.slotsFor(v), UpdatePass.CHECK, 0));
    if (blocked !== undefined) return blocked[0].name;
    for (const [v, g] of clipped) this.update(v, g, this.slotsFor(v), UpdatePass.COMMIT, 0);
    return null;
  }

  /** The variables and gradients of one step, all validated before any is touched. */
  private checkGradients(op: string, grads: NamedTensorMap | NamedTensor[]): [Variable, Tensor][] {
    const cls = `${this.getClassName()}.${op}`;
    if (this.disposed) throw new Error(`ferrite: ${cls}: the optimizer is disposed`);
    const list: [string, Tensor | null | undefined][] = Array.isArray(grads)
      ? grads.map((e) => [e.name, e.tensor])
      : Object.entries(grads);
    const byName = new Map(registeredVariables().map((v) => [v.name, v]));
    // Validate everything first, so that a bad entry leaves every variable untouched.
    const work: [Variable, Tensor][] = [];
    for (const [name, g] of list) {
      if (g === null || g === undefined) continue;
      const v = byName.get(name);
      if (!v) throw new Error(`ferrite: ${cls}: no variable named '${name}' is registered`);
      if (!(g instanceof Tensor)) throw new Error(`ferrite: ${cls}: the gradient for '${name}' is not a Tensor`);
      g.assertAlive(`${cls}: gradient for '${name}'`);
      if (g.dtype !== 'float32' || v.dtype !== 'float32') {
        throw new Error(
          `ferrite: ${cls}: variable '${name}' and its gradient must be float32 (got ${v.dtype} and ${g.dtype})`,
        );
      }
      if (!sameShape(g.shape, v.shape)) {
        throw new Error(
          `ferrite: ${cls}: the gradient for '${name}' has shape ${fmtShape(g.shape)}, the variable ${fmtShape(v.shape)}`,
        );
      }
      if (g.engine !== v.engine)
        throw new Error(`ferrite: ${cls}: the gradient for '${name}' lives on another wasm build than the variable`);
      work.push([writable(v, cls), g]);
    }
    return work;
  }

  /**
   * Runs `f` (which must return a scalar loss), computes the gradients of the trainable
   * variables it uses (all registered ones, or `varList`), and applies them. Returns the
   * loss when `returnCost`, else null (and disposes it).
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.tensor1d([3, -4]));
   * const opt = fe.train.adam(0.1);
   * const loss = opt.minimize(() => w.square().sum(), true);
   * loss?.print(); // 25: the loss before this step
   * opt.dispose(); // its slots (Adam's m and v)
   * ```
   */
  minimize(f: () => Tensor, returnCost = false, varList?: Variable[]): Tensor | null {
    const { value, grads } = variableGrads(f, varList);
    if (Object.keys(grads).length === 0) {
      value.dispose();
      throw new Error(
        `ferrite: ${this.getClassName()}.minimize: the loss does not depend on any trainable variable${varList ? ' of varList' : ''}`,
      );
    }
    try {
      this.applyGradients(grads);
    } finally {
      for (const g of Object.values(grads)) g.dispose();
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  /** The slot tensors of `v`, made (zero-filled, on v's build) on first use. */
  private slotsFor(v: Variable): (Tensor | null)[] {
    const names = this.slotNames();
    let entry = this.slots.get(v.name);
    if (entry && entry.owner !== null && entry.owner !== v) {
      // A new variable took a disposed one's name: its state starts afresh.
      this.freeEntry(entry);
      entry = undefined;
    }
    if (!entry) {
      entry = { owner: v, tensors: names.map(() => null) };
      this.slots.set(v.name, entry);
    }
    entry.owner = v;
    for (let k = 0; k < names.length; k++) {
      const t = entry.tensors[k];
      if (!this.slotUsed(k)) continue;
      if (t && (t.engine !== v.engine || !sameShape(t.shape, v.shape))) {
        t.dispose();
        entry.tensors[k] = null;
      }
      if (!entry.tensors[k]) entry.tensors[k] = this.initialSlot(v, k);
      writable(entry.tensors[k]!, `${this.getClassName()}: slot ${names[k]} of '${v.name}'`);
    }
    return entry.tensors.map((t, k) => (this.slotUsed(k) ? t : null));
  }

  private freeEntry(entry: SlotEntry): void {
    for (const t of entry.tensors) t?.dispose();
  }

  /** Frees the slots of variables that have been disposed. */
  private pruneSlots(): void {
    for (const [name, entry] of this.slots) {
      if (entry.owner?.isDisposed) {
        this.freeEntry(entry);
        this.slots.delete(name);
      }
    }
  }

  /**
   * The optimizer's state, as TF.js: first {name: 'iter', tensor: int32 scalar}, then
   * every slot as {name: `${variable}/${slot}`, tensor}, grouped by slot. The tensors
   * are copies the caller owns.
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.tensor1d([1]), true, 'w3');
   * const opt = fe.train.adam(0.1);
   * opt.minimize(() => w.square().sum());
   * const names = (await opt.getWeights()).map((t) => t.name); // ['iter', 'w3/m', 'w3/v']
   * opt.dispose();
   * ```
   */
  async getWeights(): Promise<NamedTensor[]> {
    const out: NamedTensor[] = [{ name: 'iter', tensor: scalar(this.iterationCount, 'int32') }];
    const names = this.slotNames();
    names.forEach((slot, k) => {
      for (const [varName, entry] of this.slots) {
        const t = entry.tensors[k];
        if (!t) continue;
        const copy = emptyTensor(t.shape, 'float32', t.engine);
        t.engine.u8.copyWithin(copy.ptr, t.ptr, t.ptr + 4 * t.size);
        out.push({ name: `${varName}/${slot}`, tensor: copy });
      }
    });
    return out;
  }

  /**
   * Restores state saved by `getWeights`: 'iter' sets the iteration count, each
   * `${variable}/${slot}` entry that slot (copied; used when that variable is next
   * updated, so the model's variables may be created before or after).
   *
   * @example
   * ```ts
   * const w = fe.variable(fe.tensor1d([1]), true, 'w4');
   * const a = fe.train.adam(0.1);
   * a.minimize(() => w.square().sum());
   * const b = fe.train.adam(0.1);
   * await b.setWeights(await a.getWeights()); // b continues where a stopped
   * b.iterations; // 1
   * a.dispose();
   * b.dispose();
   * ```
   */
  async setWeights(weights: NamedTensor[]): Promise<void> {
    const cls = this.getClassName();
    const names = this.slotNames();
    const byName = new Map(registeredVariables().map((v) => [v.name, v]));
    // Validate first, then replace.
    const parsed: { varName: string; k: number; tensor: Tensor }[] = [];
    let iter: number | undefined;
    for (const { name, tensor } of weights) {
      if (!(tensor instanceof Tensor)) throw new Error(`ferrite: ${cls}.setWeights: '${name}' is not a Tensor`);
      tensor.assertAlive(`${cls}.setWeights: '${name}'`);
      if (name === 'iter') {
        iter = tensor.view()[0];
        continue;
      }
      const cut = name.lastIndexOf('/');
      const k = cut < 0 ? -1 : names.indexOf(name.slice(cut + 1));
      if (k < 0) {
        throw new Error(
          `ferrite: ${cls}.setWeights: unexpected weight '${name}': expected 'iter' or '<variable>/<slot>' with slot ${names.join(' or ')}`,
        );
      }
      const varName = name.slice(0, cut);
      const v = byName.get(varName);
      if (v && !sameShape(v.shape, tensor.shape)) {
        throw new Error(
          `ferrite: ${cls}.setWeights: '${name}' has shape ${fmtShape(tensor.shape)}, variable '${varName}' has ${fmtShape(v.shape)}`,
        );
      }
      if (tensor.dtype !== 'float32')
        throw new Error(`ferrite: ${cls}.setWeights: '${name}' must be float32, got ${tensor.dtype}`);
      parsed.push({ varName, k, tensor });
    }
    if (iter !== undefined) {
      if (!Number.isInteger(iter) || iter < 0)
        throw new Error(`ferrite: ${cls}.setWeights: 'iter' must be a non-negative integer, got ${iter}`);
      this.iterationCount = iter;
    }
    for (const { varName, k, tensor } of parsed) {
      let entry = this.slots.get(varName);
      if (!entry) {
        entry = { owner: null, tensors: names.map(() => null) };
        this.slots.set(varName, entry);
      }
      const v = byName.get(varName);
      const eng = v ? v.engine : tensor.engine;
      const copy = keep(emptyTensor(tensor.shape, 'float32', eng));
      if (eng === tensor.engine) eng.u8.copyWithin(copy.ptr, tensor.ptr, tensor.ptr + 4 * tensor.size);
      else copy.view().set(tensor.view());
      entry.tensors[k]?.dispose();
      entry.tensors[k] = copy;
    }
  }

  /**
   * Frees every slot buffer. The optimizer cannot be used afterwards.
   *
   * @example
   * ```ts
   * const opt = fe.train.adam(0.1);
   * const w = fe.variable(fe.tensor1d([1]));
   * opt.minimize(() => w.square().sum());
   * opt.dispose(); // frees its m and v slots
   * ```
   */
  dispose(): void {
    for (const entry of this.slots.values()) this.freeEntry(entry);
    this.slots.clear();
    this.disposed = true;
  }

  /** Live slot tensors (for tests and memory accounting). */
  get numSlotTensors(): number {
    let n = 0;
    for (const e of this.slots.values()) n += e.tensors.filter((t) => t && !t.isDisposed).length;
    return n;
  }
}
