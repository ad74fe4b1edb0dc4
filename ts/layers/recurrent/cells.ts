// The TF.js recurrent cells (simpleRNNCell, lstmCell, gruCell) and stackedRNNCells, for
// `layers.rnn`: one time step each, written with the ordinary differentiable ops (matMul,
// split, activations), so `rnn` runs a JS loop over time and records every step on the
// tape. The layers lstm / gru / simpleRNN use the fused sequence kernels instead and are
// much faster; cells are for custom loops, stacking and TF.js compatibility. Weights,
// gate order and defaults equal the layers' (and TF.js's).

import type { Tensor } from '../../tensor/tensor.js';
import { tidy } from '../../tensor/scope.js';
import { add, mul, sub } from '../../ops/arithmetic.js';
import { matMul } from '../../ops/matmul.js';
import { split } from '../../ops/indexing.js';
import { scalar } from '../../tensor/creation.js';
import { Layer, type CallKwargs, type LayerConfig, type LayerWeight } from '../layer.js';
import { resolveActivation, type Activation } from '../activations.js';
import { deserialize, registerClass, type SerializedObject } from '../../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from '../symbolic.js';
import { WeightSpec } from '../weight-spec.js';
import type { RecurrentArgs, GatedRecurrentArgs } from './base.js';

/** A cell's options: the recurrent layers' without the sequence ones. */
export type RNNCellArgs = Omit<
  RecurrentArgs,
  'returnSequences' | 'returnState' | 'goBackwards' | 'stateful' | 'implementation' | 'inputDim' | 'inputLength'
>;
export type GatedRNNCellArgs = RNNCellArgs & Pick<GatedRecurrentArgs, 'recurrentActivation'>;

/** One step of a recurrent layer: [x [batch, in], ...states [batch, size]] -> [output, ...new states]. */
export abstract class RNNCell extends Layer {
  /** The size of each state, h first (LSTM: [units, units]). */
  abstract readonly stateSize: number[];
  /** One step on x [batch, features] from `states`: [output, ...new states]. */
  abstract step(x: Tensor, states: Tensor[], kwargs: CallKwargs): Tensor[];

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor[] {
    const [x, ...states] = Array.isArray(inputs) ? inputs : [inputs];
    if (states.length !== this.stateSize.length)
      throw new Error(
        `ferrite: ${this.name}: expects [x, ${this.stateSize.length} states], got ${states.length} states`,
      );
    return this.step(x, states, kwargs);
  }
}

/** A cell with kernel [in, G units], recurrent_kernel [units, G units] and bias [G units]. */
abstract class WeightedCell extends RNNCell {
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  private readonly specs: WeightSpec[];
  kernel: Tensor | null = null;
  recurrentKernel: Tensor | null = null;
  bias: Tensor | null = null;

  constructor(
    args: RNNCellArgs,
    what: string,
    private readonly gates: number,
  ) {
    if (args === undefined || typeof args !== 'object')
      throw new Error(`ferrite: ${what}: expects an argument object with units`);
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1)
      throw new Error(`ferrite: ${this.name}: units must be a positive integer, got ${String(args.units)}`);
    this.units = args.units;
    this.activation = resolveActivation(args.activation ?? 'tanh', this.name);
    this.useBias = args.useBias ?? true;
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    if (this.dropout !== 0 || this.recurrentDropout !== 0)
      throw new Error(`ferrite: ${this.name}: dropout and recurrentDropout are not supported in cells yet`);
    const spec = (key: string, init: string, reg: unknown, con: unknown): WeightSpec =>
      new WeightSpec(
        this.name,
        key,
        (args as unknown as Record<string, never>)[`${key}Initializer`] ?? init,
        reg as never,
        true,
        con as never,
      );
    this.specs = [
      spec('kernel', 'glorotNormal', args.kernelRegularizer, args.kernelConstraint),
      spec('recurrent', 'orthogonal', args.recurrentRegularizer, args.recurrentConstraint),
      spec('bias', 'zeros', args.biasRegularizer, args.biasConstraint),
    ];
  }

  get stateSize(): number[] {
    return [this.units];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null || inputDim === undefined)
      throw new Error(`ferrite: ${this.name}: the feature dimension must be known, got ${fmtSymbolicShape(shape)}`);
    const gu = this.gates * this.units;
    const [k, r, b] = this.specs;
    this.kernel = k.create(this, [inputDim, gu]);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, gu],
      'float32',
      r.initializer,
      r.regularizer,
      true,
      r.constraint,
    );
    if (this.useBias) this.bias = b.create(this, [gu]);
    this.built = true;
  }

  /** x W + b (without the bias when useBias is false). */
  protected inputProjection(x: Tensor): Tensor {
    const xw = matMul(x, this.kernel!);
    return this.bias ? add(xw, this.bias) : xw;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      ...this.specs[0].config(),
      ...this.specs[1].config(),
      ...this.specs[2].config(),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }
}

/** h = activation(x W + b + h_prev R). */
export class SimpleRNNCell extends WeightedCell {
  static override className = 'SimpleRNNCell';
  constructor(args: RNNCellArgs) {
    super(args, 'simpleRNNCell', 1);
  }
  step(x: Tensor, [h]: Tensor[]): Tensor[] {
    const out = tidy(() => this.activation.apply(add(this.inputProjection(x), matMul(h, this.recurrentKernel!))));
    return [out, out];
  }
}
registerClass(SimpleRNNCell);

abstract class GatedCell extends WeightedCell {
  readonly recurrentActivation: Activation;
  constructor(args: GatedRNNCellArgs, what: string, gates: number) {
    super(args, what, gates);
    this.recurrentActivation = resolveActivation(args.recurrentActivation ?? 'hardSigmoid', this.name);
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name };
  }
}

/** LSTM step, gates i, f, c, o: c = f c_prev + i act(cc), h = o act(c); states [h, c]. */
export class LSTMCell extends GatedCell {
  static override className = 'LSTMCell';
  constructor(args: GatedRNNCellArgs & { unitForgetBias?: boolean }) {
    super(args, 'lstmCell', 4);
    if (args.unitForgetBias) throw new Error(`ferrite: ${this.name}: unitForgetBias is not supported in cells yet`);
  }
  override get stateSize(): number[] {
    return [this.units, this.units];
  }
  step(x: Tensor, [h, c]: Tensor[]): Tensor[] {
    return tidy(() => {
      const ra = this.recurrentActivation.apply;
      const [zi, zf, zc, zo] = split(add(this.inputProjection(x), matMul(h, this.recurrentKernel!)), 4, 1);
      const c2 = add(mul(ra(zf), c), mul(ra(zi), this.activation.apply(zc)));
      const h2 = mul(ra(zo), this.activation.apply(c2));
      return [h2, h2, c2];
    });
  }
}
registerClass(LSTMCell);

/** TF.js's GRU step (reset before the recurrent projection), gates z, r, h: h = z h_prev + (1 - z) hh. */
export class GRUCell extends GatedCell {
  static override className = 'GRUCell';
  constructor(args: GatedRNNCellArgs & { resetAfter?: boolean }) {
    super(args, 'gruCell', 3);
    if (args.resetAfter)
      throw new Error(`ferrite: ${this.name}: resetAfter is not supported in cells (use layers.gru)`);
  }
  step(x: Tensor, [h]: Tensor[]): Tensor[] {
    return tidy(() => {
      const ra = this.recurrentActivation.apply;
      const u = this.units;
      const [xz, xr, xh] = split(this.inputProjection(x), 3, 1);
      const [rzr, rh] = split(this.recurrentKernel!, [2 * u, u], 1);
      const [hz, hr] = split(matMul(h, rzr), 2, 1);
      const z = ra(add(xz, hz));
      const r = ra(add(xr, hr));
      const hh = this.activation.apply(add(xh, matMul(mul(r, h), rh)));
      const out = add(mul(z, h), mul(sub(scalar(1), z), hh));
      return [out, out];
    });
  }
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), resetAfter: false };
  }
}
registerClass(GRUCell);

export interface StackedRNNCellsArgs {
  cells: (RNNCell | SerializedObject)[];
  name?: string;
  trainable?: boolean;
}

/** Cells applied one after the other in each step; states are each cell's, in order. */
export class StackedRNNCells extends RNNCell {
  static override className = 'StackedRNNCells';
  readonly cells: RNNCell[];

  constructor(args: StackedRNNCellsArgs) {
    super({ name: args?.name, trainable: args?.trainable });
    if (!Array.isArray(args?.cells) || args.cells.length === 0)
      throw new Error(`ferrite: ${this.name}: cells must be a non-empty array of RNN cells`);
    this.cells = args.cells.map((c, i) => toCell(c, `${this.name}: cells[${i}]`));
  }

  get stateSize(): number[] {
    return this.cells.flatMap((c) => c.stateSize);
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    let shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    for (const c of this.cells) {
      c.ensureBuilt(shape);
      shape = [shape[0], c.stateSize[0]];
    }
    this.built = true;
  }

  step(x: Tensor, states: Tensor[], kwargs: CallKwargs): Tensor[] {
    const next: Tensor[] = [];
    let input = x;
    let at = 0;
    for (const c of this.cells) {
      const n = c.stateSize.length;
      const [out, ...s] = c.step(input, states.slice(at, at + n), kwargs);
      at += n;
      next.push(...s);
      input = out;
    }
    return [input, ...next];
  }

  /** The cells' weights, named as TF.js names them: RNNCell_<i>/kernel, ... */
  override get layerWeights(): readonly LayerWeight[] {
    return this.cells.flatMap((c, i) =>
      c.layerWeights.map((w) => ({ ...w, shortName: `RNNCell_${i}/${w.shortName}` })),
    );
  }

  override dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    if (this.isDisposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    let n = 0;
    for (const c of this.cells) n += c.dispose().numDisposedVariables;
    super.dispose();
    return { refCountAfterDispose: 0, numDisposedVariables: n };
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      cells: this.cells.map((c) => ({ className: c.getClassName(), config: c.getConfig() })),
    };
  }
}
registerClass(StackedRNNCells);

/** A cell from a cell, a list of cells (stacked) or its saved {className, config}. */
export function toCell(value: unknown, what: string): RNNCell {
  if (Array.isArray(value)) return new StackedRNNCells({ cells: value as RNNCell[] });
  const cell =
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Layer) &&
    typeof (value as SerializedObject).className === 'string'
      ? deserialize<unknown>(value as SerializedObject, what)
      : value;
  if (!(cell instanceof RNNCell))
    throw new Error(
      `ferrite: ${what} must be an RNN cell (simpleRNNCell, lstmCell, gruCell, stackedRNNCells) or a list of them, got ${cell instanceof Layer ? cell.getClassName() : JSON.stringify(cell)}`,
    );
  return cell;
}
