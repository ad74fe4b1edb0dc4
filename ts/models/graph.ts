// The graph of a functional model: which layer calls (nodes) run, in what order, to get
// the outputs from the inputs. Planned once when the model is made; executing is then a
// walk over an array of steps with values in numbered slots.

import type { Tensor } from '../tensor/tensor.js';
import { InputLayer } from '../layers/input-layer.js';
import type { CallKwargs, Layer } from '../layers/layer.js';
import { hasSplitActivation } from '../layers/split-activation.js';
import { resolveActivation, type ActivationIdentifier } from '../layers/activations.js';
import { Node, SymbolicTensor } from '../layers/symbolic.js';

/** One node to run: where its inputs are and where its outputs go. */
interface Step {
  readonly node: Node;
  readonly inputSlots: number[];
  readonly outputSlots: number[];
}

export class GraphPlan {
  /** Every layer of the graph, input layers first, then in execution order. */
  readonly layers: Layer[];
  readonly inputLayers: InputLayer[];
  readonly outputLayers: Layer[];
  private readonly steps: Step[];
  private readonly inputSlots: number[];
  private readonly outputSlots: number[];
  private readonly numSlots: number;
  /** How many steps read each slot (to know whether an output is used inside too). */
  private readonly readers: number[];

  constructor(
    readonly modelName: string,
    readonly inputs: SymbolicTensor[],
    readonly outputs: SymbolicTensor[],
  ) {
    if (inputs.length === 0) throw new Error(`ferrite: ${modelName}: a model needs at least one input`);
    if (outputs.length === 0) throw new Error(`ferrite: ${modelName}: a model needs at least one output`);
    [...inputs, ...outputs].forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) {
        throw new Error(
          `ferrite: ${modelName}: model inputs and outputs must be symbolic tensors (from input() and layer.apply), got ${String(t)} at position ${i}`,
        );
      }
    });
    inputs.forEach((t) => {
      if (!(t.sourceLayer instanceof InputLayer)) {
        throw new Error(
          `ferrite: ${modelName}: model inputs must come from input(), but ${t.name} is the output of ${t.sourceLayer.getClassName()} layer ${t.sourceLayer.name}`,
        );
      }
    });
    if (new Set(inputs.map((t) => t.id)).size !== inputs.length)
      throw new Error(`ferrite: ${modelName}: the same input is given twice`);

    // Depth-first from the outputs: post-order is an execution order.
    const slotOf = new Map<number, number>();
    const slot = (t: SymbolicTensor): number => {
      let s = slotOf.get(t.id);
      if (s === undefined) {
        s = slotOf.size;
        slotOf.set(t.id, s);
      }
      return s;
    };
    inputs.forEach(slot);
    const inputIds = new Set(inputs.map((t) => t.id));
    const visited = new Set<Node>();
    const onStack = new Set<Node>();
    const order: Node[] = [];
    const visit = (node: Node, via: SymbolicTensor): void => {
      if (visited.has(node)) return;
      if (node.layer instanceof InputLayer) {
        if (!inputIds.has(via.id)) {
          throw new Error(
            `ferrite: ${modelName}: graph disconnected: output depends on input ${via.name}, which is not among the model's inputs [${inputs.map((t) => t.name).join(', ')}]`,
          );
        }
        visited.add(node);
        return;
      }
      if (onStack.has(node)) throw new Error(`ferrite: ${modelName}: the graph has a cycle through ${node.layer.name}`);
      onStack.add(node);
      for (const t of node.inputs) if (!inputIds.has(t.id)) visit(t.node, t);
      onStack.delete(node);
      visited.add(node);
      order.push(node);
    };
    for (const t of outputs) if (!inputIds.has(t.id)) visit(t.node, t);

    this.steps = order.map((node) => ({
      node,
      inputSlots: node.inputs.map(slot),
      outputSlots: node.outputs.map(slot),
    }));
    this.inputSlots = inputs.map(slot);
    this.outputSlots = outputs.map(slot);
    this.numSlots = slotOf.size;
    this.readers = new Array<number>(this.numSlots).fill(0);
    for (const s of this.steps) for (const i of s.inputSlots) this.readers[i]++;

    this.inputLayers = inputs.map((t) => t.sourceLayer as InputLayer);
    const layers: Layer[] = [...this.inputLayers];
    for (const n of order) if (!layers.includes(n.layer)) layers.push(n.layer);
    this.layers = layers;
    this.outputLayers = outputs.map((t) => t.sourceLayer);

    const names = new Map<string, Layer>();
    for (const l of layers) {
      const other = names.get(l.name);
      if (other !== undefined && other !== l) {
        throw new Error(
          `ferrite: ${modelName}: layer names must be unique in a model, but two layers are named '${l.name}'`,
        );
      }
      names.set(l.name, l);
    }
  }

  /**
   * True when output `k` can be computed without its final activation (and nothing else
   * in the graph reads it): the condition for the fused softmax cross-entropy.
   */
  canSplitOutputActivation(k: number, activation: string): boolean {
    const t = this.outputs[k];
    const layer = t.sourceLayer;
    const slotIdx = this.outputSlots[k];
    const sameOutputTwice = this.outputSlots.filter((s) => s === slotIdx).length > 1;
    return (
      !(layer instanceof InputLayer) &&
      hasSplitActivation(layer) &&
      layer.activationName === activation &&
      t.node.outputs.length === 1 &&
      this.readers[slotIdx] === 0 &&
      !sameOutputTwice
    );
  }

  /**
   * Runs the graph on `inputs` (one per model input). Where `preActivation[k]` is true,
   * output k is its layer's value before the final activation (the logits). When
   * `outputMasks` is given, it receives each output's mask (null where none): what the
   * loss and metrics of fit weight the time steps by, as Keras does.
   */
  execute(
    inputs: readonly Tensor[],
    kwargs: CallKwargs,
    preActivation?: readonly boolean[],
    outputMasks?: (Tensor | null)[],
  ): Tensor[] {
    const values = new Array<Tensor | undefined>(this.numSlots);
    this.inputSlots.forEach((s, i) => (values[s] = inputs[i]));
    let preNodes: Set<Node> | null = null;
    if (preActivation?.some((p) => p)) {
      preNodes = new Set();
      preActivation.forEach((p, k) => p && preNodes!.add(this.outputs[k].node));
    }
    // Masks flow along with the values, as in TF.js: a layer that supports masking gets its
    // input's mask as kwargs.mask, and computeMask gives its output's (Embedding maskZero
    // and Masking make them, recurrent layers consume them). A layer that does not support
    // masking ends the mask there (TF.js's predict does not throw either).
    const masks = new Array<Tensor | null>(this.numSlots).fill(null);
    for (const { node, inputSlots, outputSlots } of this.steps) {
      const ins = inputSlots.map((s) => values[s]!);
      const inMasks = inputSlots.map((s) => masks[s]);
      const masked = node.layer.supportsMasking && inMasks.some((m) => m !== null);
      const inMask = masked ? (node.singleInput ? inMasks[0] : inMasks) : null;
      let kw = Object.keys(node.kwargs).length > 0 ? { ...kwargs, ...node.kwargs } : kwargs;
      if (inMask !== null && kw.mask === undefined) kw = { ...kw, mask: inMask };
      let out: Tensor | Tensor[];
      if (preNodes !== null && preNodes.has(node) && hasSplitActivation(node.layer)) {
        node.layer.assertInputCompatible(
          ins.map((t) => t.shape as number[]),
          node.singleInput,
        );
        out = node.layer.callPreActivation(node.singleInput ? ins[0] : ins, kw);
        if (kwargs.activityLosses && node.layer.activityRegularizer) {
          // The penalty is on the layer's real output, not on the logits fit trains from.
          const act = resolveActivation(node.layer.activationName as ActivationIdentifier, node.layer.name);
          kwargs.activityLosses.push(node.layer.activityRegularizer.apply(act.apply(out)));
        }
      } else {
        out = node.layer.callOnTensors(ins, node.singleInput, kw);
        if (kwargs.activityLosses && node.layer.activityRegularizer) {
          for (const t of Array.isArray(out) ? out : [out])
            kwargs.activityLosses.push(node.layer.activityRegularizer.apply(t));
        }
      }
      if (Array.isArray(out)) {
        if (out.length !== outputSlots.length) {
          throw new Error(
            `ferrite: ${this.modelName}: ${node.layer.name} returned ${out.length} outputs, expected ${outputSlots.length}`,
          );
        }
        out.forEach((t, i) => (values[outputSlots[i]] = t));
      } else {
        if (outputSlots.length !== 1)
          throw new Error(
            `ferrite: ${this.modelName}: ${node.layer.name} returned 1 output, expected ${outputSlots.length}`,
          );
        values[outputSlots[0]] = out;
      }
      const outMask = node.layer.computeMask(node.singleInput ? ins[0] : ins, inMask);
      const outMasks = Array.isArray(outMask) ? outMask : [outMask];
      outputSlots.forEach((s, i) => (masks[s] = outMasks[i] ?? null));
    }
    if (outputMasks !== undefined) outputMasks.splice(0, outputMasks.length, ...this.outputSlots.map((s) => masks[s]));
    return this.outputSlots.map((s) => values[s]!);
  }

  /** Nodes in execution order (for summaries). */
  get nodes(): readonly Node[] {
    return this.steps.map((s) => s.node);
  }
}
