// model.summary(): a Keras-style table of layers, output shapes and parameter counts.

import type { Variable } from '../tensor/tensor.js';
import type { Layer } from '../layers/layer.js';
import { InputLayer } from '../layers/input-layer.js';
import type { Node, SymbolicShape, SymbolicTensor } from '../layers/symbolic.js';
import type { GraphPlan } from './graph.js';

/** What the table reads of a model (a SummarizedModel). */
export interface SummarizedModel {
  /** The model's name. */
  readonly name: string;
  /**
   * 'Sequential' or 'Model'.
   *
   * @example
   * ```ts
   * fe.sequential().getClassName(); // 'Sequential'
   * ```
   */
  getClassName(): string;
  /** False for a Sequential model whose input shape is not known yet. */
  readonly isGraphBuilt: boolean;
  /**
   * The model's graph of layers.
   *
   * @internal
   */
  graph(): GraphPlan;
  /** The layers, in order. */
  readonly layers: Layer[];
  /** The symbolic inputs. */
  readonly inputs: SymbolicTensor[];
  /** The symbolic outputs. */
  readonly outputs: SymbolicTensor[];
  /** Every weight. */
  readonly weights: Variable[];
  /** The weights training updates. */
  readonly trainableWeights: Variable[];
  /** The weights training leaves alone. */
  readonly nonTrainableWeights: Variable[];
}

export interface SummaryOptions {
  lineLength?: number;
  /** Where each column ends, as fractions of lineLength (or absolute positions). */
  positions?: number[];
  printFn?: (line: string) => void;
}

/** `[null, 784]` as Keras prints it: `(None, 784)`. */
export function fmtShapeKeras(shape: SymbolicShape): string {
  const parts = shape.map((d) => (d === null ? 'None' : String(d)));
  return `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
}

/** 101770 -> '101,770'. */
export function withThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function nodesOf(model: SummarizedModel): Node[] {
  return model.isGraphBuilt ? [...model.graph().nodes] : [];
}

/** A chain of single-input layers prints without the 'Connected to' column. */
function isChain(model: SummarizedModel, nodes: Node[]): boolean {
  if (model.getClassName() === 'Sequential') return true;
  const seen = new Set<Layer>();
  for (const n of nodes) {
    if (n.inputs.length > 1 || seen.has(n.layer)) return false;
    seen.add(n.layer);
  }
  return model.isGraphBuilt && model.inputs.length === 1 && model.outputs.length === 1;
}

/** One layer's line of the summary table. */
export interface SummaryRow {
  name: string;
  className: string;
  /** As Keras prints it: '(None, 784)', 'multiple', or '?' before the graph is built. */
  outputShape: string;
  /** Parameter count with thousands separators, or '0 (unbuilt)'. */
  params: string;
  /** Functional models: 'layer[node][output]' per input. */
  connectedTo: string[];
  /** The layer's `trainable` flag. */
  trainable: boolean;
}

/** The summary's rows: one per layer (functional models list their input layers too, as Keras does). */
export function summaryRows(model: SummarizedModel): SummaryRow[] {
  const nodes = nodesOf(model);
  const layers: Layer[] =
    model.getClassName() === 'Sequential' ? model.layers : model.isGraphBuilt ? model.graph().layers : [];
  return layers.map((layer) => {
    const layerNodes = nodes.filter((n) => n.layer === layer);
    let shape = '?';
    if (layer instanceof InputLayer) shape = fmtShapeKeras(layer.output.shape);
    else if (layerNodes.length === 1) {
      const outs = layerNodes[0].outputs;
      shape = outs.length === 1 ? fmtShapeKeras(outs[0].shape) : outs.map((o) => fmtShapeKeras(o.shape)).join(', ');
    } else if (layerNodes.length > 1) shape = 'multiple';
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: shape,
      params: layer.built ? withThousands(layer.countParams()) : '0 (unbuilt)',
      trainable: layer.trainable,
      connectedTo: layerNodes.flatMap((n) =>
        n.inputs.map((t) => `${t.sourceLayer.name}[${t.sourceLayer.inboundNodes.indexOf(t.node)}][${t.outputIndex}]`),
      ),
    };
  });
}

/** Trainable and non-trainable parameter counts, as the model sees them. */
export function paramCounts(model: SummarizedModel): { trainable: number; nonTrainable: number } {
  // The model's own view: a layer unfrozen inside a frozen nested model still counts as frozen.
  let trainable = 0;
  let nonTrainable = 0;
  for (const w of model.trainableWeights) trainable += w.size;
  for (const w of model.nonTrainableWeights) nonTrainable += w.size;
  return { trainable, nonTrainable };
}

export function printSummary(model: SummarizedModel, opts: SummaryOptions = {}): void {
  const print = opts.printFn ?? console.log;
  const chain = isChain(model, nodesOf(model));
  const rows = summaryRows(model);
  const names = rows.map((r) => `${r.name} (${r.className})`);
  let lineLength = opts.lineLength ?? (chain ? 65 : 98);
  let positions = opts.positions ?? (chain ? [0.45, 0.85, 1] : [0.33, 0.55, 0.67, 1]);
  if (positions[positions.length - 1] <= 1) positions = positions.map((p) => Math.floor(lineLength * p));
  if (opts.positions === undefined && opts.lineLength === undefined) {
    // Widen the first column rather than cut a long 'name (Class)' (Keras cuts it).
    const extra = Math.max(0, ...names.map((n) => n.length + 1)) - positions[0];
    if (extra > 0) {
      positions = positions.map((p) => p + extra);
      lineLength += extra;
    }
  }
  const headers = chain
    ? ['Layer (type)', 'Output Shape', 'Param #']
    : ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'];

  const row = (fields: string[]): string => {
    let line = '';
    fields.forEach((f, i) => {
      if (i > 0) line = line.padEnd(positions[i - 1]);
      line += f;
      // Earlier columns are cut to their width; the last one may run long.
      if (i < fields.length - 1) line = line.slice(0, positions[i]).padEnd(positions[i]);
    });
    return line.trimEnd();
  };

  print(`Model: "${model.name}"`);
  print('_'.repeat(lineLength));
  print(row(headers));
  print('='.repeat(lineLength));

  rows.forEach((r, i) => {
    if (chain) print(row([names[i], r.outputShape, r.params]));
    else {
      print(row([names[i], r.outputShape, r.params, r.connectedTo[0] ?? '']));
      for (const c of r.connectedTo.slice(1)) print(row(['', '', '', c]));
    }
    print(i === rows.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
  });
  if (rows.length === 0) print('='.repeat(lineLength));

  const { trainable, nonTrainable: frozen } = paramCounts(model);
  print(`Total params: ${withThousands(trainable + frozen)}`);
  print(`Trainable params: ${withThousands(trainable)}`);
  print(`Non-trainable params: ${withThousands(frozen)}`);
  print('_'.repeat(lineLength));
}
