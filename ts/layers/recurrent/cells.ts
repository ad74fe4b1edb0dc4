// The TF.js recurrent cells (simpleRNNCell, lstmCell, gruCell) and stackedRNNCells, for
// `layers.rnn`: one time step each, written with the ordinary differentiable ops (matMul,
// split, activations), so `rnn` runs a JS loop over time and records every step on the
// tape. The layers lstm / gru / simpleRNN use the fused sequence kernels instead and are
// much faster; cells are for custom loops, stacking and TF.js compatibility. Weights,
// gate order, defaults and options equal the layers' (and TF.js's): dropout and
// recurrentDropout masks drawn once per sequence (dropout-masks.ts, shared with the
// layers), unitForgetBias (the lstm layer's initializer), Keras's resetAfter GRU.

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
import { addRecurrentWeights, recurrentWeightSpecs, type RecurrentWeightSpecs } from './weights.js';
import type { RecurrentArgs, GatedRecurrentArgs } from './base.js';
import { checkDropoutRate, SequenceDropout } from './dropout-masks.js';
import { forgetBiasInitializer } from './lstm.js';
import type { Initializer, InitializerIdentifier } from '../../initializers/initializer.js';

/**
 * A cell's options: the recurrent layers' without the sequence ones.
 *
 * @example
 * ```ts
 * fe.layers.simpleRNNCell({ units: 16, activation: 'tanh', dropout: 0.1 });
 * ```
 */
export type RNNCellArgs = Omit<
  RecurrentArgs,
  'returnSequences' | 'returnState' | 'goBackwards' | 'stateful' | 'implementation' | 'inputDim' | 'inputLength'
>;
/**
 * The arguments of the gated cells: those of simpleRNNCell plus `recurrentActivation`.
 *
 * @example
 * ```ts
 * fe.layers.lstmCell({ units: 16, recurrentActivation: 'sigmoid' });
 * ```
 */
export type GatedRNNCellArgs = RNNCellArgs & Pick<GatedRecurrentArgs, 'recurrentActivation'>;
/**
 * lstmCell's options: the lstm layer's `unitForgetBias` besides.
 *
 * @example
 * ```ts
 * fe.layers.lstmCell({ units: 16, unitForgetBias: true, recurrentDropout: 0.2 });
 * ```
 */
export type LSTMCellArgs = GatedRNNCellArgs & {
  /** Start the forget gate's bias at 1 (default false). */
  unitForgetBias?: boolean;
};
/**
 * gruCell's options: Keras's `resetAfter` besides (the gru layer's option).
 *
 * @example
 * ```ts
 * fe.layers.gruCell({ units: 16, resetAfter: true });
 * ```
 */
export type GRUCellArgs = GatedRNNCellArgs & {
  /** Keras's form: the reset gate applied after the recurrent projection, with a second bias (default false, TF.js's). */
  resetAfter?: boolean;
};

/**
 * One step of a recurrent layer: [x [batch, in], ...states [batch, size]] -> [output, ...new states].
 *
 * @example
 * ```ts
 * const cell: fe.layers.RNNCell = fe.layers.lstmCell({ units: 8 });
 * cell.stateSize; // [8, 8]: h and c
 * ```
 */
export abstract class RNNCell extends Layer {
  /** The size of each state, h first (LSTM: [units, units]). */
  abstract readonly stateSize: number[];
  /**
   * One step on x [batch, features] from `states`: [output, ...new states].
   *
   * @example
   * ```ts
   * const cell = fe.layers.lstmCell({ units: 4 });
   * fe.layers.rnn({ cell }).apply(fe.zeros([1, 1, 3])); // builds the cell for 3 features
   * const [out, h, c] = cell.step(fe.ones([1, 3]), [fe.zeros([1, 4]), fe.zeros([1, 4])], {});
   * out.shape; // [1, 4]
   * ```
   */
  abstract step(x: Tensor, states: Tensor[], kwargs: CallKwargs): Tensor[];

  /**
   * Forgets the dropout masks of the current sequence (`rnn` calls it around each sequence).
   *
   * @internal
   */
  resetDropoutMasks(): void {}

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
  /** Size of the state h. */
  readonly units: number;
  /** The activation of the candidate state (default tanh). */
  readonly activation: Activation;
  /** Whether the cell adds a bias. */
  readonly useBias: boolean;
  /** {@inheritDoc layers.RecurrentArgs.dropout} */
  readonly dropout: number;
  /** {@inheritDoc layers.RecurrentArgs.recurrentDropout} */
  readonly recurrentDropout: number;
  /** The dropout masks of the sequence being stepped through. */
  protected readonly masks: SequenceDropout;
  protected readonly specs: RecurrentWeightSpecs;
  /** The input kernel [inputDim, gates · units], once built. */
  kernel: Tensor | null = null;
  /** The recurrent kernel [units, gates · units], once built. */
  recurrentKernel: Tensor | null = null;
  /** The bias [gates · units] ([2, gates · units] for a GRU with resetAfter), once built (null without useBias). */
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
    this.dropout = checkDropoutRate(this.name, 'dropout', args.dropout);
    this.recurrentDropout = checkDropoutRate(this.name, 'recurrentDropout', args.recurrentDropout);
    this.masks = new SequenceDropout(this.dropout, this.recurrentDropout);
    this.specs = recurrentWeightSpecs(this.name, args);
  }

  /** {@inheritDoc layers.RNNCell.stateSize} */
  get stateSize(): number[] {
    return [this.units];
  }

  override resetDropoutMasks(): void {
    this.masks.reset();
  }

  /** [x * input mask, h_prev * recurrent mask] while training (the layers' semantics). */
  protected dropped(x: Tensor, h: Tensor, kwargs: CallKwargs): [Tensor, Tensor] {
    return this.masks.apply(x, h, kwargs.training === true);
  }

  /** The bias shape: [G units] (the resetAfter GRU: [2, 3 units], as the layer). */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  /** The bias initializer (the LSTM's unitForgetBias changes it, as the layer's). */
  protected biasInitializer(): InitializerIdentifier | Initializer {
    return this.specs.bias.initializer;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null || inputDim === undefined)
      throw new Error(`ferrite: ${this.name}: the feature dimension must be known, got ${fmtSymbolicShape(shape)}`);
    const bias = this.useBias ? { shape: this.biasShape(), initializer: this.biasInitializer() } : null;
    const w = addRecurrentWeights(this, this.specs, inputDim, this.units, this.gates * this.units, bias);
    [this.kernel, this.recurrentKernel, this.bias] = [w.kernel, w.recurrentKernel, w.bias];
    this.built = true;
  }

  /** x W + b (without the bias when useBias is false). */
  protected inputProjection(x: Tensor): Tensor {
    const xw = matMul(x, this.kernel!);
    return this.bias ? add(xw, this.bias) : xw;
  }

  /** The cell's arguments (what model.json saves). */
  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      ...this.specs.kernel.config(),
      ...this.specs.recurrent.config(),
      ...this.specs.bias.config(),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }
}

/**
 * h = activation(x W + b + h_prev R).
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.simpleRNNCell({ units: 8 }) });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 8], [8, 8], [8]]
 * ```
 */
export class SimpleRNNCell extends WeightedCell {
  static override className = 'SimpleRNNCell';
  constructor(args: RNNCellArgs) {
    super(args, 'simpleRNNCell', 1);
  }
  step(x: Tensor, [h]: Tensor[], kwargs: CallKwargs): Tensor[] {
    const out = tidy(() => {
      const [xd, hd] = this.dropped(x, h, kwargs);
      return this.activation.apply(add(this.inputProjection(xd), matMul(hd, this.recurrentKernel!)));
    });
    return [out, out];
  }
}
registerClass(SimpleRNNCell);

abstract class GatedCell extends WeightedCell {
  /** The gates' activation (default hardSigmoid, as TF.js). */
  readonly recurrentActivation: Activation;
  constructor(args: GatedRNNCellArgs, what: string, gates: number) {
    super(args, what, gates);
    this.recurrentActivation = resolveActivation(args.recurrentActivation ?? 'hardSigmoid', this.name);
  }
  /** The cell's arguments (what model.json saves). */
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name };
  }
}

/**
 * LSTM step, gates i, f, c, o: c = f c_prev + i act(cc), h = o act(c); states [h, c].
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.lstmCell({ units: 8 }) });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 32], [8, 32], [32]]
 * ```
 */
export class LSTMCell extends GatedCell {
  static override className = 'LSTMCell';
  /** Start the forget gate's bias at 1 (as the lstm layer's option). */
  readonly unitForgetBias: boolean;
  constructor(args: LSTMCellArgs) {
    super(args, 'lstmCell', 4);
    this.unitForgetBias = args.unitForgetBias ?? false;
  }
  /** The LSTM's states: [units, units] (h and c). */
  override get stateSize(): number[] {
    return [this.units, this.units];
  }
  protected override biasInitializer(): InitializerIdentifier | Initializer {
    return this.unitForgetBias
      ? forgetBiasInitializer(this.specs.bias.initializer, this.units, this.name)
      : super.biasInitializer();
  }
  step(x: Tensor, [h, c]: Tensor[], kwargs: CallKwargs): Tensor[] {
    return tidy(() => {
      const ra = this.recurrentActivation.apply;
      const [xd, hd] = this.dropped(x, h, kwargs);
      const [zi, zf, zc, zo] = split(add(this.inputProjection(xd), matMul(hd, this.recurrentKernel!)), 4, 1);
      const c2 = add(mul(ra(zf), c), mul(ra(zi), this.activation.apply(zc)));
      const h2 = mul(ra(zo), this.activation.apply(c2));
      return [h2, h2, c2];
    });
  }
  /** The cell's arguments (what model.json saves). */
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}
registerClass(LSTMCell);

/**
 * GRU step, gates z, r, h: h = z h_prev + (1 - z) hh. TF.js's form resets before the
 * recurrent projection, hh = act(x W_h + b_h + (r h_prev) R_h); Keras's `resetAfter`
 * (bias [2, 3 units]: input bias, recurrent bias) after it, hh = act(x W_h + b_h +
 * r (h_prev R_h + b_rh)), as the gru layer's two forms.
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.gruCell({ units: 8 }) });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 24], [8, 24], [24]]
 * ```
 */
export class GRUCell extends GatedCell {
  static override className = 'GRUCell';
  /** Keras's form (default false, TF.js's). */
  readonly resetAfter: boolean;
  constructor(args: GRUCellArgs) {
    super(args, 'gruCell', 3);
    if (args.resetAfter !== undefined && typeof args.resetAfter !== 'boolean')
      throw new Error(`ferrite: ${this.name}: resetAfter must be a boolean, got ${JSON.stringify(args.resetAfter)}`);
    this.resetAfter = args.resetAfter ?? false;
  }
  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : super.biasShape();
  }
  step(x: Tensor, [h]: Tensor[], kwargs: CallKwargs): Tensor[] {
    return tidy(() => {
      const ra = this.recurrentActivation.apply;
      const u = this.units;
      // TF.js and Keras blend the dropped h_prev into h too.
      const [xd, hd] = this.dropped(x, h, kwargs);
      let hh: Tensor, z: Tensor;
      if (this.resetAfter) {
        const [bx, bh] = this.bias ? split(this.bias, 2, 0) : [null, null];
        const xw = matMul(xd, this.kernel!);
        const hr = matMul(hd, this.recurrentKernel!);
        const [xz, xr, xh] = split(bx ? add(xw, bx) : xw, 3, 1);
        const [hz, hrr, hh0] = split(bh ? add(hr, bh) : hr, 3, 1);
        z = ra(add(xz, hz));
        const r = ra(add(xr, hrr));
        hh = this.activation.apply(add(xh, mul(r, hh0)));
      } else {
        const [xz, xr, xh] = split(this.inputProjection(xd), 3, 1);
        const [rzr, rh] = split(this.recurrentKernel!, [2 * u, u], 1);
        const [hz, hr] = split(matMul(hd, rzr), 2, 1);
        z = ra(add(xz, hz));
        const r = ra(add(xr, hr));
        hh = this.activation.apply(add(xh, matMul(mul(r, hd), rh)));
      }
      const out = add(mul(z, hd), mul(sub(scalar(1), z), hh));
      return [out, out];
    });
  }
  /** The cell's arguments (what model.json saves). */
  override getConfig(): LayerConfig {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }
}
registerClass(GRUCell);

/**
 * The arguments of `layers.stackedRNNCells`.
 *
 * @example
 * ```ts
 * fe.layers.stackedRNNCells({ cells: [fe.layers.gruCell({ units: 32 }), fe.layers.gruCell({ units: 32 })] });
 * ```
 */
export interface StackedRNNCellsArgs {
  /** The cells, run one after the other in each step (or their saved forms). */
  cells: (RNNCell | SerializedObject)[];
  /** The layer's name (generated when omitted). */
  name?: string;
  /** False freezes every cell. */
  trainable?: boolean;
}

/**
 * Cells applied one after the other in each step. The states are TF.js's flat list in
 * reverse cell order (two LSTM cells: [h2, c2, h1, c1]), so that the first state is the
 * output's h; `returnState` and `initialState` use that order.
 *
 * @example
 * ```ts
 * const cells = fe.layers.stackedRNNCells({ cells: [fe.layers.simpleRNNCell({ units: 8 }), fe.layers.simpleRNNCell({ units: 4 })] });
 * const layer = fe.layers.rnn({ cell: cells });
 * layer.apply(fe.ones([2, 5, 3])).shape; // [2, 4]: the last cell's output
 * ```
 */
export class StackedRNNCells extends RNNCell {
  static override className = 'StackedRNNCells';
  /** The cells, run one after the other in each step. */
  readonly cells: RNNCell[];

  constructor(args: StackedRNNCellsArgs) {
    super({ name: args?.name, trainable: args?.trainable });
    if (!Array.isArray(args?.cells) || args.cells.length === 0)
      throw new Error(`ferrite: ${this.name}: cells must be a non-empty array of RNN cells`);
    this.cells = args.cells.map((c, i) => toCell(c, `${this.name}: cells[${i}]`));
  }

  /** {@inheritDoc layers.RNNCell.stateSize} */
  get stateSize(): number[] {
    return this.cells
      .slice()
      .reverse()
      .flatMap((c) => c.stateSize);
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    let shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    for (const c of this.cells) {
      c.ensureBuilt(shape);
      shape = [shape[0], c.stateSize[0]];
    }
    this.built = true;
  }

  override resetDropoutMasks(): void {
    for (const c of this.cells) c.resetDropoutMasks();
  }

  step(x: Tensor, states: Tensor[], kwargs: CallKwargs): Tensor[] {
    // Each cell's states, at the end of the flat list for the first cell.
    let end = states.length;
    const own = this.cells.map((c) => {
      const start = end - c.stateSize.length;
      const mine = states.slice(start, end);
      end = start;
      return mine;
    });
    const next: Tensor[][] = [];
    let input = x;
    this.cells.forEach((c, i) => {
      const [out, ...s] = c.step(input, own[i], kwargs);
      next.push(s);
      input = out;
    });
    return [input, ...next.reverse().flat()];
  }

  /** The cells' weights, named as TF.js names them: RNNCell_<i>/kernel, ... */
  override get layerWeights(): readonly LayerWeight[] {
    return this.cells.flatMap((c, i) =>
      c.layerWeights.map((w) => ({ ...w, shortName: `RNNCell_${i}/${w.shortName}` })),
    );
  }

  override dispose(): {
    /** Always 0: a layer is not shared by reference count here. */
    refCountAfterDispose: number;
    /** How many weight variables this call freed. */
    numDisposedVariables: number;
  } {
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
