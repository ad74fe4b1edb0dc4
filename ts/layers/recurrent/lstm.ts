// LSTM: the TF.js layer over the fused sequence kernel (ts/ops/recurrent.ts).
// Weights as TF.js: kernel [inputDim, 4 units], recurrent_kernel [units, 4 units],
// bias [4 units], gates in the order i, f, c, o.

import { Tensor, Variable, type DataType } from '../../tensor/tensor.js';
import { clone, tensor, zeros } from '../../tensor/creation.js';
import { keep } from '../../tensor/scope.js';
import { concat } from '../../ops/shape.js';
import { cast } from '../../ops/unary.js';
import { lstmSequence, rnnActivationCode } from '../../ops/recurrent.js';
import { Layer, type CallKwargs, type LayerArgs, type LayerConfig } from '../layer.js';
import { registerClass } from '../../serialization/registry.js';
import { fmtSymbolicShape, type SymbolicShape } from '../symbolic.js';
import { WeightSpec } from '../weight-spec.js';
import type { ConstraintIdentifier } from '../constraints.js';
import { Initializer, type InitializerIdentifier } from '../../initializers/initializer.js';
import { getInitializer } from '../../initializers/resolve.js';
import type { RegularizerIdentifier } from '../../regularizers/regularizer.js';
import type { Shape } from '../../tensor/tensor.js';

export interface LSTMArgs extends LayerArgs {
  units: number;
  /** Default 'tanh'. */
  activation?: string;
  /** Default 'hardSigmoid' (TF.js; Keras uses 'sigmoid'). */
  recurrentActivation?: string;
  useBias?: boolean;
  /** Default 'glorotNormal' (TF.js). */
  kernelInitializer?: InitializerIdentifier;
  /** Default 'orthogonal'. */
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Start the forget gate's bias at 1 (TF.js default false). */
  unitForgetBias?: boolean;
  kernelRegularizer?: RegularizerIdentifier;
  recurrentRegularizer?: RegularizerIdentifier;
  biasRegularizer?: RegularizerIdentifier;
  kernelConstraint?: ConstraintIdentifier;
  recurrentConstraint?: ConstraintIdentifier;
  biasConstraint?: ConstraintIdentifier;
  /** Fraction of the inputs dropped while training (only 0 is supported so far). */
  dropout?: number;
  /** Fraction of the recurrent state dropped while training (only 0 is supported so far). */
  recurrentDropout?: number;
  /** Output every step's h ([batch, time, units]) instead of the last ([batch, units]). */
  returnSequences?: boolean;
  /** Also return the final h and c: [output, h, c]. */
  returnState?: boolean;
  /** Run over the sequence from its end; the sequence output is then in that order too (as TF.js). */
  goBackwards?: boolean;
  /** Carry the final states of a batch into the next call (fixed batch size); resetStates() zeroes them. */
  stateful?: boolean;
  /** Accepted for TF.js compatibility; the fused kernel is used whatever the value. */
  implementation?: number;
  /** Shorthand for inputShape [null, inputDim] with inputLength. */
  inputDim?: number;
  inputLength?: number;
}

/** The bias initializer with unitForgetBias: [init(u), ones(u), init(2u)]. */
class ForgetBiasInit extends Initializer {
  static override className = 'ForgetBiasInit';
  constructor(
    private readonly base: Initializer,
    private readonly units: number,
  ) {
    super();
  }
  apply(shape: Shape, dtype: DataType = 'float32'): Tensor {
    const u = this.units;
    const parts = [this.base.apply([u], dtype), tensor(new Float32Array(u).fill(1)), this.base.apply([2 * u], dtype)];
    const out = concat(parts, 0);
    for (const p of parts) p.dispose();
    if (out.size !== shape.reduce((a, b) => a * b, 1)) throw new Error('ferrite: lstm: bias shape mismatch');
    return out;
  }
}

export class LSTM extends Layer {
  static override className = 'LSTM';
  readonly units: number;
  readonly activation: string;
  readonly recurrentActivation: string;
  readonly useBias: boolean;
  readonly unitForgetBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  private readonly specs: { kernel: WeightSpec; recurrent: WeightSpec; bias: WeightSpec };
  private readonly codes: { activation: number; recurrentActivation: number };
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;
  /** Stateful layers: the [h, c] carried between calls. */
  private states: [Tensor, Tensor] | null = null;

  constructor(args: LSTMArgs) {
    if (args === undefined || typeof args !== 'object')
      throw new Error('ferrite: lstm: expects an argument object with units');
    const base: LayerArgs = { ...args };
    if (args.inputDim !== undefined && args.inputShape === undefined && args.batchInputShape === undefined)
      base.inputShape = [args.inputLength ?? null, args.inputDim];
    super(base);
    if (!Number.isInteger(args.units) || args.units < 1)
      throw new Error(`ferrite: ${this.name}: units must be a positive integer, got ${String(args.units)}`);
    this.units = args.units;
    this.activation = args.activation ?? 'tanh';
    this.recurrentActivation = args.recurrentActivation ?? 'hardSigmoid';
    this.codes = {
      activation: rnnActivationCode(this.activation, this.name),
      recurrentActivation: rnnActivationCode(this.recurrentActivation, this.name),
    };
    this.useBias = args.useBias ?? true;
    this.unitForgetBias = args.unitForgetBias ?? false;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.dropout = args.dropout ?? 0;
    this.recurrentDropout = args.recurrentDropout ?? 0;
    if (this.dropout !== 0 || this.recurrentDropout !== 0)
      throw new Error(
        `ferrite: ${this.name}: dropout and recurrentDropout are not supported yet (got ${this.dropout}, ${this.recurrentDropout})`,
      );
    this.specs = {
      kernel: new WeightSpec(
        this.name,
        'kernel',
        args.kernelInitializer ?? 'glorotNormal',
        args.kernelRegularizer,
        true,
        args.kernelConstraint,
      ),
      recurrent: new WeightSpec(
        this.name,
        'recurrent',
        args.recurrentInitializer ?? 'orthogonal',
        args.recurrentRegularizer,
        true,
        args.recurrentConstraint,
      ),
      bias: new WeightSpec(
        this.name,
        'bias',
        args.biasInitializer ?? 'zeros',
        args.biasRegularizer,
        true,
        args.biasConstraint,
      ),
    };
    this.inputSpec = [{ ndim: 3 }];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const inputDim = shape[2];
    if (inputDim === null || inputDim === undefined)
      throw new Error(`ferrite: ${this.name}: the feature dimension must be known, got ${fmtSymbolicShape(shape)}`);
    const u = this.units;
    this.kernel = this.specs.kernel.create(this, [inputDim, 4 * u]);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [u, 4 * u],
      'float32',
      this.specs.recurrent.initializer,
      this.specs.recurrent.regularizer,
    );
    if (this.useBias) {
      const init = this.unitForgetBias
        ? new ForgetBiasInit(getInitializer(this.specs.bias.initializer, `${this.name}: biasInitializer`), u)
        : this.specs.bias.initializer;
      this.bias = this.addWeight('bias', [4 * u], 'float32', init, this.specs.bias.regularizer);
    }
    this.inputSpec = [{ ndim: 3, axes: { [-1]: inputDim } }];
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0];
    const batch = x.shape[0];
    const initial = (kwargs.initialState as Tensor[] | undefined) ?? (list.length === 3 ? list.slice(1) : undefined);
    let h0: Tensor;
    let c0: Tensor;
    const made: Tensor[] = [];
    if (initial !== undefined) {
      if (initial.length !== 2)
        throw new Error(`ferrite: ${this.name}: initialState must be [h, c], got ${initial.length} tensors`);
      [h0, c0] = initial;
    } else if (this.stateful && this.states !== null) {
      [h0, c0] = this.states;
    } else {
      h0 = zeros([batch, this.units]);
      c0 = zeros([batch, this.units]);
      made.push(h0, c0);
    }
    const maskIn = kwargs.mask as Tensor | undefined;
    const mask = maskIn === undefined ? null : maskIn.dtype === 'float32' ? maskIn : cast(maskIn, 'float32');
    if (mask !== null && mask !== maskIn) made.push(mask);
    try {
      const [y, h, c] = lstmSequence(x, this.kernel!, this.recurrentKernel!, this.bias, h0, c0, mask, {
        activation: this.codes.activation as never,
        recurrentActivation: this.codes.recurrentActivation as never,
        goBackwards: this.goBackwards,
      });
      if (this.stateful) this.keepStates(h, c);
      const output = this.returnSequences ? y : h;
      if (!this.returnSequences) y.dispose();
      if (!this.returnState) {
        if (output !== h) h.dispose();
        c.dispose();
        return output;
      }
      return [output, h, c];
    } finally {
      for (const t of made) t.dispose();
    }
  }

  private keepStates(h: Tensor, c: Tensor): void {
    this.resetStatesTo(null);
    this.states = [keepCopy(h), keepCopy(c)];
  }

  private resetStatesTo(states: [Tensor, Tensor] | null): void {
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
    return this.returnState ? [out, [shape[0], this.units], [shape[0], this.units]] : out;
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation,
      recurrentActivation: this.recurrentActivation,
      useBias: this.useBias,
      ...this.specs.kernel.config(),
      ...this.specs.recurrent.config(),
      ...this.specs.bias.config(),
      unitForgetBias: this.unitForgetBias,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
    };
  }
}
registerClass(LSTM);

/** A copy outside any tidy scope and off the tape: states outlive the call. */
function keepCopy(t: Tensor): Tensor {
  return keep(clone(t));
}
