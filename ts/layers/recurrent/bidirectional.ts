// Bidirectional: runs a recurrent layer over the sequence both ways and merges the two
// outputs, as TF.js's wrapper: the forward layer is a copy of `layer` named
// `forward_<name>`, the backward one a copy with goBackwards flipped named
// `backward_<name>` (or Keras's explicit `backwardLayer`), so the weights are saved as
// `<bidirectional>/forward_<name>/kernel`, ... as TF.js saves them. The backward output
// sequence is reversed back to the input's order before the merge; with returnState the
// forward states come first, then the backward ones.

import type { DataType, Tensor } from '../../tensor/tensor.js';
import { tidy } from '../../tensor/scope.js';
import { add, mul } from '../../ops/arithmetic.js';
import { concat } from '../../ops/shape.js';
import { reverse } from '../../ops/indexing.js';
import { scalar } from '../../tensor/creation.js';
import { Layer, isShapeList, type CallKwargs, type LayerArgs, type LayerConfig, type LayerWeight } from '../layer.js';
import { deserialize, registerClass, type SerializedObject } from '../../serialization/registry.js';
import type { SymbolicShape } from '../symbolic.js';

/**
 * How Bidirectional combines the two directions' outputs: concatenated, summed, multiplied, averaged, or (null) both returned.
 *
 * @example
 * ```ts
 * fe.layers.bidirectional({ layer: fe.layers.lstm({ units: 8 }), mergeMode: 'ave' });
 * ```
 */
export type BidirectionalMergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;
const MERGE_MODES: readonly BidirectionalMergeMode[] = ['concat', 'sum', 'mul', 'ave', null];

/**
 * The arguments of `layers.bidirectional`.
 *
 * @example
 * ```ts
 * fe.layers.bidirectional({ layer: fe.layers.gru({ units: 16, returnSequences: true }), mergeMode: 'sum' });
 * ```
 */
export interface BidirectionalArgs extends LayerArgs {
  /** The recurrent layer run forwards (a copy of it is) and, goBackwards flipped, backwards. */
  layer: Layer | SerializedObject;
  /** How the two outputs combine; default 'concat'; null returns both. */
  mergeMode?: BidirectionalMergeMode;
  /** Keras's option: the backward layer itself (its goBackwards must differ from layer's). */
  backwardLayer?: Layer | SerializedObject;
}

/** What the wrapper needs of a recurrent layer (LSTM, GRU, SimpleRNN, rnn(cell)). */
interface Recurrent extends Layer {
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  resetStates(): void;
}

function asRecurrent(who: string, what: string, value: unknown): Recurrent {
  const layer =
    value instanceof Layer
      ? value
      : value !== null && typeof value === 'object' && typeof (value as SerializedObject).className === 'string'
        ? deserialize<Layer>(value as SerializedObject, what)
        : null;
  if (layer === null)
    throw new Error(`ferrite: ${who}: ${what} must be a recurrent Layer, got ${JSON.stringify(value)}`);
  const r = layer as Partial<Recurrent>;
  if (
    typeof r.returnSequences !== 'boolean' ||
    typeof r.goBackwards !== 'boolean' ||
    typeof r.resetStates !== 'function'
  )
    throw new Error(
      `ferrite: ${who}: ${what} must be a recurrent layer (LSTM, GRU, SimpleRNN, RNN), got ${layer.getClassName()}`,
    );
  return layer as Recurrent;
}

/** A copy of `layer` from its config, renamed, with goBackwards set. */
function copyOf(layer: Recurrent, name: string, goBackwards: boolean): Recurrent {
  const config: LayerConfig = { ...layer.getConfig(), name, goBackwards };
  delete config.batchInputShape;
  return deserialize<Recurrent>({ className: layer.getClassName(), config }, 'layer');
}

/**
 * The layer `layers.bidirectional` makes: runs a recurrent layer forwards and backwards and merges the outputs (mergeMode 'concat' by default).
 *
 * @example
 * ```ts
 * const layer = fe.layers.bidirectional({ layer: fe.layers.simpleRNN({ units: 8 }), mergeMode: 'concat' });
 * layer.apply(fe.ones([2, 5, 3]));
 * layer.getWeights().map((w) => w.shape); // [[3, 8], [8, 8], [8], [3, 8], [8, 8], [8]]: forward then backward
 * ```
 */
export class Bidirectional extends Layer {
  static override className = 'Bidirectional';
  /** The layer given (its config is saved; it is never run). */
  readonly layer: Layer;
  /** The copy of the layer that runs forwards. */
  readonly forwardLayer: Layer;
  /** {@inheritDoc BidirectionalArgs.backwardLayer} */
  readonly backwardLayer: Layer;
  /** {@inheritDoc BidirectionalArgs.mergeMode} */
  readonly mergeMode: BidirectionalMergeMode;
  /** The wrapped layer's returnSequences. */
  readonly returnSequences: boolean;
  /** The wrapped layer's returnState. */
  readonly returnState: boolean;
  /** The wrapped layer's stateful. */
  readonly stateful: boolean;
  /** Keras's backwardLayer as given, for the config. */
  private readonly givenBackward: Layer | null;
  private weightsCache: LayerWeight[] | null = null;

  constructor(args: BidirectionalArgs) {
    const inner = asRecurrent('bidirectional', 'layer', args?.layer);
    // An input shape given to the wrapped layer is the wrapper's (the first layer of a Sequential).
    const base: LayerArgs = { ...args };
    if (args.inputShape === undefined && args.batchInputShape === undefined && inner.batchInputShape !== undefined)
      base.batchInputShape = inner.batchInputShape;
    super(base);
    const mode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (!MERGE_MODES.includes(mode))
      throw new Error(
        `ferrite: ${this.name}: mergeMode must be one of 'concat', 'sum', 'mul', 'ave' or null, got ${JSON.stringify(mode)}`,
      );
    this.mergeMode = mode;
    this.layer = inner;
    const forward = copyOf(inner, `forward_${inner.name}`, inner.goBackwards);
    let backward: Recurrent;
    if (args.backwardLayer === undefined || args.backwardLayer === null) {
      this.givenBackward = null;
      backward = copyOf(inner, `backward_${inner.name}`, !inner.goBackwards);
    } else {
      const given = asRecurrent(this.name, 'backwardLayer', args.backwardLayer);
      this.givenBackward = given;
      if (given.goBackwards === inner.goBackwards)
        throw new Error(
          `ferrite: ${this.name}: backwardLayer must have the opposite goBackwards of layer (both are ${inner.goBackwards})`,
        );
      for (const key of ['returnSequences', 'returnState', 'stateful'] as const)
        if (given[key] !== inner[key])
          throw new Error(
            `ferrite: ${this.name}: backwardLayer must have the same ${key} as layer (${inner[key]}), got ${given[key]}`,
          );
      backward = copyOf(given, `backward_${given.name}`, given.goBackwards);
    }
    this.forwardLayer = forward;
    this.backwardLayer = backward;
    this.returnSequences = inner.returnSequences;
    this.returnState = inner.returnState;
    this.stateful = inner.stateful;
    this.supportsMasking = true;
    this.inputSpec = [{ ndim: 3 }];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.forwardLayer.ensureBuilt(inputShape);
    this.backwardLayer.ensureBuilt(inputShape);
    this.weightsCache = null;
    this.built = true;
  }

  call(inputs: Tensor | Tensor[], kwargs: CallKwargs): Tensor | Tensor[] {
    const initial = kwargs.initialState as Tensor[] | undefined;
    let fwdKwargs = kwargs;
    let bwdKwargs = kwargs;
    if (initial !== undefined) {
      if (!Array.isArray(initial) || initial.length % 2 !== 0)
        throw new Error(
          `ferrite: ${this.name}: initialState must hold the forward states then the backward states (an even count), got ${Array.isArray(initial) ? initial.length : typeof initial}`,
        );
      const half = initial.length / 2;
      fwdKwargs = { ...kwargs, initialState: initial.slice(0, half) };
      bwdKwargs = { ...kwargs, initialState: initial.slice(half) };
    }
    return tidy(() => {
      let y = this.forwardLayer.call(inputs, fwdKwargs);
      let yRev = this.backwardLayer.call(inputs, bwdKwargs);
      let states: Tensor[] = [];
      if (this.returnState) {
        const [f, b] = [y as Tensor[], yRev as Tensor[]];
        states = [...f.slice(1), ...b.slice(1)];
        [y, yRev] = [f[0], b[0]];
      }
      // The backward layer's sequence runs from the last step: put it back in input order.
      if (this.returnSequences) yRev = reverse(yRev as Tensor, 1);
      const [a, b] = [y as Tensor, yRev as Tensor];
      let output: Tensor[];
      switch (this.mergeMode) {
        case 'concat':
          output = [concat([a, b], -1)];
          break;
        case 'sum':
          output = [add(a, b)];
          break;
        case 'mul':
          output = [mul(a, b)];
          break;
        case 'ave':
          output = [mul(add(a, b), scalar(0.5))];
          break;
        default:
          output = [a, b];
      }
      const all = [...output, ...states];
      return all.length === 1 ? all[0] : all;
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const out = this.forwardLayer.computeOutputShape(inputShape);
    const [y, ...states] = isShapeList(out) ? out : [out];
    const merged: SymbolicShape[] =
      this.mergeMode === 'concat'
        ? [[...y.slice(0, -1), y[y.length - 1] === null ? null : 2 * y[y.length - 1]!]]
        : this.mergeMode === null
          ? [y, [...y]]
          : [y];
    const all = [...merged, ...states, ...states.map((s) => [...s])];
    return all.length === 1 ? all[0] : all;
  }

  override computeOutputDtype(_inputDtype: DataType): DataType {
    return 'float32';
  }

  /** TF.js's: the input's mask goes with each sequence output; states have none. */
  override computeMask(
    inputs: Tensor | Tensor[],
    mask?: Tensor | (Tensor | null)[] | null,
  ): Tensor | (Tensor | null)[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const out = this.returnSequences ? m : null;
    const outputs = this.mergeMode === null ? [out, out] : [out];
    if (!this.returnState) return outputs.length === 1 ? outputs[0] : outputs;
    const inner = this.forwardLayer.computeMask(inputs, mask);
    const stateCount = Array.isArray(inner) ? inner.length - 1 : 0;
    return [...outputs, ...Array.from({ length: 2 * stateCount }, () => null)];
  }

  /** The forward layer's weights, then the backward layer's, named `<forward_name>/kernel`, ... */
  override get layerWeights(): readonly LayerWeight[] {
    if (this.weightsCache === null) {
      const prefixed = (l: Layer): LayerWeight[] =>
        l.layerWeights.map((w) => ({
          variable: w.variable,
          shortName: `${l.name}/${w.shortName}`,
          declaredTrainable: w.declaredTrainable,
          regularizer: w.regularizer,
          constraint: w.constraint,
        }));
      const all = [...prefixed(this.forwardLayer), ...prefixed(this.backwardLayer)];
      if (!this.built) return all;
      this.weightsCache = all;
    }
    return this.weightsCache;
  }

  override get trainable(): boolean {
    return super.trainable;
  }

  override set trainable(value: boolean) {
    super.trainable = value;
    this.forwardLayer.trainable = value;
    this.backwardLayer.trainable = value;
  }

  /**
   * Zeroes the carried states of both directions (stateful layers).
   *
   * @example
   * ```ts
   * const layer = fe.layers.bidirectional({ layer: fe.layers.gru({ units: 4, stateful: true }), batchInputShape: [1, 5, 3] });
   * layer.apply(fe.ones([1, 5, 3]));
   * layer.resetStates();
   * ```
   */
  resetStates(): void {
    (this.forwardLayer as Recurrent).resetStates();
    (this.backwardLayer as Recurrent).resetStates();
  }

  override dispose(): {
    /** Always 0: a layer is not shared by reference count here. */
    refCountAfterDispose: number;
    /** How many weight variables this call freed. */
    numDisposedVariables: number;
  } {
    if (this.isDisposed) return { refCountAfterDispose: 0, numDisposedVariables: 0 };
    const f = this.forwardLayer.dispose();
    const b = this.backwardLayer.dispose();
    this.layer.dispose();
    this.givenBackward?.dispose();
    super.dispose();
    return { refCountAfterDispose: 0, numDisposedVariables: f.numDisposedVariables + b.numDisposedVariables };
  }

  override getConfig(): LayerConfig {
    const config: LayerConfig = {
      mergeMode: this.mergeMode,
      ...super.getConfig(),
      layer: { className: this.layer.getClassName(), config: this.layer.getConfig() },
    };
    if (this.givenBackward !== null)
      config.backwardLayer = { className: this.givenBackward.getClassName(), config: this.givenBackward.getConfig() };
    return config;
  }
}
registerClass(Bidirectional);
