// What LSTM, GRU and SimpleRNN share: TF.js's RNN options (returnSequences, returnState,
// goBackwards, stateful, initial states, masks), the kernel / recurrent_kernel / bias
// weights with G gate blocks per unit, and their configs. Each subclass names its fused
// sequence op (ts/ops/recurrent.ts) and its gate count.

import { Tensor, Variable, type DataType } from '../../tensor/tensor.js';
import { clone, zeros } from '../../tensor/creation.js';
import { keep } from '../../tensor/scope.js';
import { cast } from '../../ops/unary.js';
import { dropout } from '../../ops/dropout.js';
import { fmtShape } from '../../ops/util.js';
import { rnnActivationCode, type RnnWeights } from '../../ops/recurrent.js';
import type { RnnActivation } from '../../backend/core-abi.js';
import { Layer, type CallKwargs, type LayerArgs, type LayerConfig } from '../layer.js';
import { fmtSymbolicShape, type SymbolicShape } from '../symbolic.js';
import {
  addRecurrentWeights,
  recurrentWeightSpecs,
  type RecurrentWeightArgs,
  type RecurrentWeightSpecs,
} from './weights.js';
import { checkDropoutRate, recurrentDropoutMask } from './dropout-masks.js';
import type { Initializer, InitializerIdentifier } from '../../initializers/initializer.js';

/**
 * The options every recurrent layer takes (TF.js's names and defaults).
 *
 * @example
 * ```ts
 * fe.layers.simpleRNN({ units: 16, activation: 'relu', returnSequences: true, returnState: false, goBackwards: false });
 * ```
 */
export interface RecurrentArgs extends LayerArgs, RecurrentWeightArgs {
  /** Size of the state h (and of the output's last dimension). */
  units: number;
  /** Default 'tanh'. */
  activation?: string;
  /** Add a bias. Default true. */
  useBias?: boolean;
  /**
   * Fraction of the input features dropped while training (default 0). As Keras 3, one
   * mask per batch row, the same at every time step and for every gate (TF.js draws one
   * per gate); inference is unchanged. Masks follow `setRandomSeed`.
   */
  dropout?: number;
  /**
   * Fraction of the recurrent state h_prev dropped while training (default 0): one
   * [batch, units] mask per sequence, the same at every step, multiplies h_prev where the
   * cell reads it (TF.js's semantics: the recurrent projection, and for the GRU also the
   * blend into h; the LSTM's c is not dropped). Inference is unchanged.
   */
  recurrentDropout?: number;
  /** Output every step's h ([batch, time, units]) instead of the last ([batch, units]). */
  returnSequences?: boolean;
  /** Also return the final states: [output, h] (LSTM: [output, h, c]). */
  returnState?: boolean;
  /** Run over the sequence from its end; the sequence output is then in that order too (as TF.js). */
  goBackwards?: boolean;
  /** Carry the final states of a batch into the next call (fixed batch size); resetStates() zeroes them. */
  stateful?: boolean;
  /** Accepted for TF.js compatibility; the fused kernel is used whatever the value. */
  implementation?: number;
  /** Shorthand for inputShape [inputLength, inputDim]. */
  inputDim?: number;
  /** Shorthand for inputShape [inputLength, inputDim]: the sequence length when fixed. */
  inputLength?: number;
}

/**
 * The options of the gated cells (LSTM, GRU).
 *
 * @example
 * ```ts
 * fe.layers.lstm({ units: 32, recurrentActivation: 'sigmoid' }); // Keras's default; TF.js's is 'hardSigmoid'
 * ```
 */
export interface GatedRecurrentArgs extends RecurrentArgs {
  /** Default 'hardSigmoid' (TF.js; Keras uses 'sigmoid'). */
  recurrentActivation?: string;
}

/** TF.js's output mask of a recurrent layer: the input's with the sequence output; none for states. */
export function recurrentOutputMask(
  mask: Tensor | (Tensor | null)[] | null | undefined,
  returnSequences: boolean,
  returnState: boolean,
  stateCount: number,
): Tensor | (Tensor | null)[] | null {
  const m = Array.isArray(mask) ? mask[0] : mask;
  const out = returnSequences && m ? m : null;
  return returnState ? [out, ...Array.from({ length: stateCount }, () => null)] : out;
}

/** A recurrent layer over a fused sequence kernel; `call` gives it [y, ...final states]. */
export abstract class RecurrentLayer extends Layer {
  /** {@inheritDoc layers.RecurrentArgs.units} */
  readonly units: number;
  /** {@inheritDoc RecurrentArgs.activation} */
  readonly activation: string;
  /** {@inheritDoc layers.RecurrentArgs.useBias} */
  readonly useBias: boolean;
  /** {@inheritDoc RecurrentArgs.returnSequences} */
  readonly returnSequences: boolean;
  /** {@inheritDoc RecurrentArgs.returnState} */
  readonly returnState: boolean;
  /** {@inheritDoc RecurrentArgs.goBackwards} */
  readonly goBackwards: boolean;
  /** {@inheritDoc RecurrentArgs.stateful} */
  readonly stateful: boolean;
  /** {@inheritDoc RecurrentArgs.dropout} */
  readonly dropout: number;
  /** {@inheritDoc RecurrentArgs.recurrentDropout} */
  readonly recurrentDropout: number;
  protected readonly specs: RecurrentWeightSpecs;
  protected readonly activationCode: RnnActivation;
  /** The input kernel [inputDim, gates · units], once built. */
  kernel: Variable | null = null;
  /** The recurrent kernel [units, gates · units], once built. */
  recurrentKernel: Variable | null = null;
  /** The bias [gates · units] ([2, gates · units] for a GRU with resetAfter), once built (null without useBias). */
  bias: Variable | null = null;
  /** Stateful layers: the states carried between calls. */
  private states: Tensor[] | null = null;

  /**
   * `what` names the layer in errors before it has a name ('lstm'); `gates` is G, the gate
   * blocks per unit: the kernels are [inputDim, G units] and [units, G units].
   */
  constructor(
    args: RecurrentArgs,
    what: string,
    protected readonly gates: number,
  ) {
    if (args === undefined || typeof args !== 'object')
      throw new Error(`ferrite: ${what}: expects an argument object with units`);
    const base: LayerArgs = { ...args };
    if (args.inputDim !== undefined && args.inputShape === undefined && args.batchInputShape === undefined)
      base.inputShape = [args.inputLength ?? null, args.inputDim];
    super(base);
    if (!Number.isInteger(args.units) || args.units < 1)
      throw new Error(`ferrite: ${this.name}: units must be a positive integer, got ${String(args.units)}`);
    this.units = args.units;
    this.activation = args.activation ?? 'tanh';
    this.activationCode = rnnActivationCode(this.activation, this.name);
    this.useBias = args.useBias ?? true;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.dropout = checkDropoutRate(this.name, 'dropout', args.dropout);
    this.recurrentDropout = checkDropoutRate(this.name, 'recurrentDropout', args.recurrentDropout);
    this.specs = recurrentWeightSpecs(this.name, args);
    this.inputSpec = [{ ndim: 3 }];
    this.supportsMasking = true;
  }

  /** The states a step carries: h (and the LSTM's c). */
  protected get stateCount(): number {
    return 1;
  }

  /** The bias shape: [G units] (Keras's resetAfter GRU: [2, 3 units]). */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  /** The bias initializer (LSTM's unitForgetBias changes it). */
  protected biasInitializer(): InitializerIdentifier | Initializer {
    return this.specs.bias.initializer;
  }

  /**
   * The fused sequence: [y [batch, time, units], ...final states [batch, units]];
   * `recurrentMask` [batch, units] multiplies h_prev (recurrent dropout) or is null.
   */
  protected abstract sequence(x: Tensor, states: Tensor[], mask: Tensor | null, recurrentMask: Tensor | null): Tensor[];

  /** The weights for the sequence ops (after build). */
  protected get weightsForOps(): RnnWeights {
    return { kernel: this.kernel!, recurrentKernel: this.recurrentKernel!, bias: this.bias };
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const inputDim = shape[2];
    if (inputDim === null || inputDim === undefined)
      throw new Error(`ferrite: ${this.name}: the feature dimension must be known, got ${fmtSymbolicShape(shape)}`);
    const bias = this.useBias ? { shape: this.biasShape(), initializer: this.biasInitializer() } : null;
    const w = addRecurrentWeights(this, this.specs, inputDim, this.units, this.gates * this.units, bias);
    [this.kernel, this.recurrentKernel, this.bias] = [w.kernel, w.recurrentKernel, w.bias];
    this.inputSpec = [{ ndim: 3, axes: { [-1]: inputDim } }];
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0];
    const n = this.stateCount;
    const initial = (kwargs.initialState as Tensor[] | undefined) ?? (list.length > 1 ? list.slice(1) : undefined);
    const made: Tensor[] = [];
    let states: Tensor[];
    if (initial !== undefined) {
      if (initial.length !== n)
        throw new Error(
          `ferrite: ${this.name}: initialState must be ${n === 2 ? '[h, c]' : '[h]'}, got ${initial.length} tensors`,
        );
      initial.forEach((t, i) => {
        if (t.rank !== 2 || t.shape[0] !== x.shape[0] || t.shape[1] !== this.units)
          throw new Error(
            `ferrite: ${this.name}: initialState[${i}] must have shape ${fmtShape([x.shape[0], this.units])}, got ${fmtShape(t.shape)}`,
          );
      });
      states = initial;
    } else if (this.stateful && this.states !== null) {
      states = this.states;
    } else {
      states = Array.from({ length: n }, () => zeros([x.shape[0], this.units]));
      made.push(...states);
    }
    const maskIn = kwargs.mask as Tensor | undefined;
    const mask = maskIn === undefined ? null : maskIn.dtype === 'float32' ? maskIn : cast(maskIn, 'float32');
    if (mask !== null && mask !== maskIn) made.push(mask);
    // Keras's input dropout: one [batch, 1, features] mask for every step.
    const xs = kwargs.training === true && this.dropout > 0 ? dropout(x, this.dropout, [null, 1, null]) : x;
    if (xs !== x) made.push(xs);
    // Drawn after the input mask, as the cells draw theirs (same seed, same masks).
    const recMask = recurrentDropoutMask(kwargs.training === true, this.recurrentDropout, x.shape[0], this.units);
    if (recMask) made.push(recMask);
    try {
      const [y, ...last] = this.sequence(xs, states, mask, recMask);
      if (this.stateful) this.keepStates(last);
      const output = this.returnSequences ? y : last[0];
      if (!this.returnSequences) y.dispose();
      if (this.returnState) return [output, ...last];
      for (const t of last) if (t !== output) t.dispose();
      return output;
    } finally {
      for (const t of made) t.dispose();
    }
  }

  private keepStates(last: Tensor[]): void {
    this.resetStatesTo(null);
    // Copies outside any tidy scope and off the tape: states outlive the call.
    this.states = last.map((t) => keep(clone(t)));
  }

  private resetStatesTo(states: Tensor[] | null): void {
    if (this.states) for (const s of this.states) s.dispose();
    this.states = states;
  }

  /** Zeroes the carried states of a stateful layer. */
  resetStates(): void {
    if (!this.stateful) throw new Error(`ferrite: ${this.name}: resetStates() needs a stateful layer`);
    this.resetStatesTo(null);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const out: SymbolicShape = this.returnSequences ? [shape[0], shape[1], this.units] : [shape[0], this.units];
    if (!this.returnState) return out;
    return [out, ...Array.from({ length: this.stateCount }, (): SymbolicShape => [shape[0], this.units])];
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  /** TF.js's: the input's mask goes on with the sequence output; final states have none. */
  override computeMask(
    _inputs: Tensor | Tensor[],
    mask?: Tensor | (Tensor | null)[] | null,
  ): Tensor | (Tensor | null)[] | null {
    return recurrentOutputMask(mask, this.returnSequences, this.returnState, this.stateCount);
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      ...this.specs.kernel.config(),
      ...this.specs.recurrent.config(),
      ...this.specs.bias.config(),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
    };
  }
}

/** LSTM and GRU: a recurrent activation for their gates besides the activation. */
export abstract class GatedRecurrentLayer extends RecurrentLayer {
  /** {@inheritDoc GatedRecurrentArgs.recurrentActivation} */
  readonly recurrentActivation: string;
  protected readonly recurrentActivationCode: RnnActivation;

  constructor(args: GatedRecurrentArgs, what: string, gates: number) {
    super(args, what, gates);
    this.recurrentActivation = args.recurrentActivation ?? 'hardSigmoid';
    this.recurrentActivationCode = rnnActivationCode(this.recurrentActivation, this.name);
  }

  /** The kernel options of this layer's cell. */
  protected kernelOptions(): { activation: RnnActivation; recurrentActivation: RnnActivation; goBackwards: boolean } {
    return {
      activation: this.activationCode,
      recurrentActivation: this.recurrentActivationCode,
      goBackwards: this.goBackwards,
    };
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation };
  }
}
