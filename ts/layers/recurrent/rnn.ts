// RNN: TF.js's generic recurrent layer over a cell (or a list of cells, stacked). It runs
// the cell once per time step in JS with ordinary ops, each step recorded on the tape, so
// it is much slower than the fused lstm / gru / simpleRNN layers (one kernel per sequence);
// use it for custom or stacked cells. Masks: a masked step keeps the states and repeats
// the previous output (zeros before the first), as Keras's rnn loop.

import { Tensor, type DataType } from '../../tensor/tensor.js';
import { clone, scalar, zeros } from '../../tensor/creation.js';
import { keep, tidy } from '../../tensor/scope.js';
import { add, mul, sub } from '../../ops/arithmetic.js';
import { reshape, stack, unstack } from '../../ops/shape.js';
import { cast } from '../../ops/unary.js';
import { fmtShape } from '../../ops/util.js';
import { Layer, type CallKwargs, type LayerArgs, type LayerConfig, type LayerWeight } from '../layer.js';
import { registerClass, type SerializedObject } from '../../serialization/registry.js';
import type { SymbolicShape } from '../symbolic.js';
import { RNNCell, toCell } from './cells.js';
import { recurrentOutputMask } from './base.js';

/**
 * The arguments of `layers.rnn`.
 *
 * @example
 * ```ts
 * fe.layers.rnn({ cell: [fe.layers.lstmCell({ units: 16 }), fe.layers.lstmCell({ units: 8 })], returnSequences: true });
 * ```
 */
export interface RNNArgs extends LayerArgs {
  /** The step: a cell, a list of cells (stacked), or a saved {className, config}. */
  cell: RNNCell | RNNCell[] | SerializedObject;
  /** {@inheritDoc layers.RecurrentArgs.returnSequences} */
  returnSequences?: boolean;
  /** {@inheritDoc layers.RecurrentArgs.returnState} */
  returnState?: boolean;
  /** {@inheritDoc layers.RecurrentArgs.goBackwards} */
  goBackwards?: boolean;
  /** {@inheritDoc layers.RecurrentArgs.stateful} */
  stateful?: boolean;
  /** Accepted for TF.js compatibility; the loop is always a JS loop. */
  unroll?: boolean;
}

/**
 * The layer `layers.rnn` makes: a recurrent layer over a cell or stacked cells, one JS step per time step (slower than lstm/gru/simpleRNN).
 *
 * @example
 * ```ts
 * const layer = fe.layers.rnn({ cell: fe.layers.simpleRNNCell({ units: 8 }) });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 8], [8, 8], [8]]
 * ```
 */
export class RNN extends Layer {
  static override className = 'RNN';
  /** {@inheritDoc RNNArgs.cell} */
  readonly cell: RNNCell;
  /** {@inheritDoc layers.RecurrentArgs.returnSequences} */
  readonly returnSequences: boolean;
  /** {@inheritDoc layers.RecurrentArgs.returnState} */
  readonly returnState: boolean;
  /** {@inheritDoc layers.RecurrentArgs.goBackwards} */
  readonly goBackwards: boolean;
  /** {@inheritDoc layers.RecurrentArgs.stateful} */
  readonly stateful: boolean;
  private states: Tensor[] | null = null;

  constructor(args: RNNArgs) {
    super(args);
    this.cell = toCell(args?.cell, `${this.name}: cell`);
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.supportsMasking = true;
    this.inputSpec = [{ ndim: 3 }];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    this.cell.ensureBuilt([shape[0], shape[2]]);
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor | Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const sizes = this.cell.stateSize;
    const batch = x.shape[0];
    const initial = kwargs.initialState as Tensor[] | undefined;
    if (initial !== undefined) {
      if (!Array.isArray(initial) || initial.length !== sizes.length)
        throw new Error(
          `ferrite: ${this.name}: initialState must hold ${sizes.length} tensors, got ${Array.isArray(initial) ? initial.length : typeof initial}`,
        );
      initial.forEach((t, i) => {
        if (t.rank !== 2 || t.shape[0] !== batch || t.shape[1] !== sizes[i])
          throw new Error(
            `ferrite: ${this.name}: initialState[${i}] must have shape ${fmtShape([batch, sizes[i]])}, got ${fmtShape(t.shape)}`,
          );
      });
    }
    // A sequence draws its own dropout masks (at its first step), dropped when it ends.
    this.cell.resetDropoutMasks();
    let result: Tensor[];
    try {
      result = tidy(() => {
        let states =
          initial ?? (this.stateful && this.states !== null ? this.states : sizes.map((n) => zeros([batch, n])));
        const steps = unstack(x, 1);
        const maskIn = kwargs.mask as Tensor | undefined;
        const masks = maskIn ? unstack(cast(maskIn, 'float32'), 1).map((m) => reshape(m, [batch, 1])) : null;
        const order = steps.map((_, t) => (this.goBackwards ? steps.length - 1 - t : t));
        const outputs: Tensor[] = [];
        let last: Tensor | null = null;
        for (const t of order) {
          const [out, ...next] = this.cell.step(steps[t], states, kwargs);
          if (masks) {
            const m = masks[t];
            const keepOld = sub(scalar(1), m);
            const blend = (a: Tensor, b: Tensor): Tensor => add(mul(m, a), mul(keepOld, b));
            last = blend(out, last ?? zeros(out.shape));
            states = next.map((s, i) => blend(s, states[i]));
          } else {
            last = out;
            states = next;
          }
          outputs.push(last);
        }
        if (last === null) throw new Error(`ferrite: ${this.name}: the sequence has no time steps`);
        const output = this.returnSequences ? stack(outputs, 1) : last;
        return [output, ...states];
      });
    } finally {
      this.cell.resetDropoutMasks();
    }
    const [output, ...finalStates] = result;
    if (this.stateful) {
      if (this.states) for (const s of this.states) s.dispose();
      this.states = finalStates.map((s) => keep(clone(s)));
    }
    if (this.returnState) return result;
    // Without masks the last output is the final h itself.
    for (const s of finalStates) if (s !== output) s.dispose();
    return output;
  }

  /**
   * Zeroes the carried states of a stateful layer.
   *
   * @example
   * ```ts
   * const layer = fe.layers.lstm({ units: 8, stateful: true, batchInputShape: [1, 5, 3] });
   * layer.apply(fe.ones([1, 5, 3])); // the states carry over to the next call
   * layer.resetStates(); // start the next sequence from zeros
   * ```
   */
  resetStates(): void {
    if (!this.stateful) throw new Error(`ferrite: ${this.name}: resetStates() needs a stateful layer`);
    if (this.states) for (const s of this.states) s.dispose();
    this.states = null;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const [b, t] = inputShape as SymbolicShape;
    const sizes = this.cell.stateSize;
    const units = this.outputSize();
    const out: SymbolicShape = this.returnSequences ? [b, t, units] : [b, units];
    return this.returnState ? [out, ...sizes.map((n): SymbolicShape => [b, n])] : out;
  }

  /** The output size: the last cell's h. */
  private outputSize(): number {
    const c = this.cell as RNNCell & { cells?: RNNCell[] };
    return c.cells ? c.cells[c.cells.length - 1].stateSize[0] : c.stateSize[0];
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  override computeMask(
    _inputs: Tensor | Tensor[],
    mask?: Tensor | (Tensor | null)[] | null,
  ): Tensor | (Tensor | null)[] | null {
    return recurrentOutputMask(mask, this.returnSequences, this.returnState, this.cell.stateSize.length);
  }

  override get layerWeights(): readonly LayerWeight[] {
    return this.cell.layerWeights;
  }

  override dispose(): {
    /** Always 0: a layer is not shared by reference count here. */
    refCountAfterDispose: number;
    /** How many weight variables this call freed. */
    numDisposedVariables: number;
  } {
    if (this.isDisposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    if (this.states) for (const s of this.states) s.dispose();
    const r = this.cell.dispose();
    super.dispose();
    return r;
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: false,
      cell: { className: this.cell.getClassName(), config: this.cell.getConfig() },
    };
  }
}
registerClass(RNN);
