// model.save: a model to TF.js's artifacts (Keras topology, weights named
// `<layer>/<weight>`, optional optimizer state). load.ts reads them back.

import { Layer } from '../layers/layer.js';
import type { Variable } from '../tensor/tensor.js';
import { type NamedTensor, type Optimizer } from '../optimizers/index.js';
import { zerosLike } from '../tensor/creation.js';
import { convertTsToPythonic, pythonicName } from '../io/topology.js';
import { encodeWeights, concatenateArrayBuffers } from '../io/weights.js';
import { quantizationDtypes } from '../io/quantization.js';
import { getSaveHandlers } from '../io/router.js';
import { http } from '../io/handlers/http.js';
import type { IOHandler, ModelArtifacts, SaveConfig, SaveResult, TrainingConfig } from '../io/types.js';
// A type only: layers-model.ts imports saveModel from here.
import type { LayersModel } from './layers-model.js';
import { VERSION } from '../io/version.js';

/** A model nested as a layer (checked by shape: this module may not import LayersModel's value). */
function isModel(layer: Layer): layer is LayersModel {
  return Array.isArray((layer as { layers?: unknown }).layers);
}

/** A model's weights under the names TF.js saves them by: `<layer>/<weight>`, trainable ones first. */
export function namedWeights(model: LayersModel): { name: string; variable: Variable }[] {
  const out: { name: string; variable: Variable }[] = [];
  const seen = new Set<number>();
  const walk = (layer: Layer): void => {
    if (isModel(layer)) {
      for (const l of layer.layers) walk(l);
      return;
    }
    for (const w of layer.layerWeights) {
      if (seen.has(w.variable.id)) continue;
      seen.add(w.variable.id);
      out.push({ name: `${layer.name}/${w.shortName}`, variable: w.variable });
    }
  };
  walk(model);
  return [...out.filter((w) => w.variable.trainable), ...out.filter((w) => !w.variable.trainable)];
}

function saveHandlerFor(target: IOHandler | string): IOHandler {
  if (typeof target !== 'string') {
    if (target === null || typeof target !== 'object' || typeof target.save !== 'function')
      throw new Error('ferrite: model.save: expected a URL string or an IOHandler with a save method');
    return target;
  }
  const handlers = getSaveHandlers(target);
  if (handlers.length === 0) throw new Error(`ferrite: model.save: cannot find any save handler for URL '${target}'`);
  return handlers[0];
}

/** Identifier of a loss or metric as TF.js saves it (snake_case names). */
function identifierName(id: unknown): string {
  if (typeof id === 'string') return pythonicName(id);
  if (typeof id === 'function') return pythonicName(id.name || 'custom');
  if (id !== null && typeof id === 'object' && typeof (id as { name?: unknown }).name === 'string')
    return pythonicName((id as { name: string }).name);
  return 'custom';
}

function trainingConfigOf(model: LayersModel): TrainingConfig {
  const compiled = model.compiled!;
  const { loss, metrics } = compiled.args;
  const map = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(map)
      : x !== null && typeof x === 'object' && !('name' in x)
        ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, map(v)]))
        : identifierName(x);
  const config: TrainingConfig = {
    loss: map(loss) as TrainingConfig['loss'],
    optimizer_config: { class_name: compiled.optimizer.getClassName(), config: compiled.optimizer.getConfig() },
  };
  if (metrics !== undefined) config.metrics = map(Array.isArray(metrics) ? metrics : [metrics]) as string[];
  return config;
}

/** The model's topology as TF.js writes it (`model.toJSON(null, false)`). */
export function modelTopology(model: LayersModel): object {
  return {
    class_name: model.getClassName(),
    config: convertTsToPythonic(withInputShapesOnLayers(model.getClassName(), model.getConfig())),
    keras_version: `ferrite-nn ${VERSION}`,
    backend: 'tensor_flow.js',
  };
}

/**
 * TF.js keeps a Sequential's input shape on its first layer (its Sequential.fromConfig
 * reads it only there), at the top and in models nested at any depth.
 */
function withInputShapesOnLayers(className: string, config: Record<string, unknown>): Record<string, unknown> {
  const layers = config.layers as { className: string; config: Record<string, unknown> }[] | undefined;
  if (!Array.isArray(layers)) return config;
  const out: Record<string, unknown> & { layers: typeof layers } = {
    ...config,
    layers: layers.map((l) => ({ ...l, config: withInputShapesOnLayers(l.className, l.config) })),
  };
  if (className === 'Sequential' && out.batchInputShape !== undefined && out.layers.length > 0) {
    const first = out.layers[0];
    if (first.config.batchInputShape === undefined)
      out.layers[0] = { ...first, config: { ...first.config, batchInputShape: out.batchInputShape } };
    delete out.batchInputShape;
  }
  return out;
}

/** Saves `model` through a handler or to a URL (`localstorage://name`, `file://dir`, `http://...`). */
export async function saveModel(
  model: LayersModel,
  target: IOHandler | string,
  config: SaveConfig = {},
): Promise<SaveResult> {
  if (model.isDisposed) throw new Error(`ferrite: ${model.name}: save: the model is disposed`);
  const handler = saveHandlerFor(target);
  const weights = namedWeights(model).filter((w) => !config.trainableOnly || w.variable.trainable);
  const quantizeTo = quantizationDtypes(
    weights.map((w) => w.name),
    config,
    `${model.name}: save`,
  );
  const { data, specs } = await encodeWeights(
    weights.map((w) => ({ name: w.name, tensor: w.variable })),
    undefined,
    quantizeTo,
  );
  const artifacts: ModelArtifacts = {
    modelTopology: modelTopology(model),
    format: 'layers-model',
    generatedBy: `Ferrite ferrite-nn v${VERSION}`,
    convertedBy: null,
  };
  let weightData = data;
  if (config.includeOptimizer && model.compiled !== null) {
    artifacts.trainingConfig = trainingConfigOf(model);
    // Slots are saved under the weights' saved names (variables may have been renamed to stay unique).
    const savedName = new Map(namedWeights(model).map((w) => [w.variable.name, w.name]));
    const state = withTfjsSlots(model.compiled.optimizer, await model.compiled.optimizer.getWeights());
    try {
      const renamed = state.map(({ name, tensor }) => {
        const cut = name.lastIndexOf('/');
        const owner = cut < 0 ? undefined : savedName.get(name.slice(0, cut));
        return { name: owner === undefined ? name : `${owner}${name.slice(cut)}`, tensor };
      });
      const opt = await encodeWeights(renamed, 'optimizer');
      specs.push(...opt.specs);
      weightData = concatenateArrayBuffers([data, opt.data]);
    } finally {
      for (const s of state) s.tensor.dispose();
    }
  }
  artifacts.weightData = weightData;
  artifacts.weightSpecs = specs;
  return handler.save!(artifacts);
}

/**
 * TF.js's RMSProp always keeps momentum slots and reads its state by position (rms
 * slots, then momentum slots, then mg), so zero momentum slots are added where Ferrite,
 * with momentum 0, has none.
 */
function withTfjsSlots(optimizer: Optimizer, state: NamedTensor[]): NamedTensor[] {
  if (optimizer.getClassName() !== 'RMSProp' || state.some((s) => s.name.endsWith('/momentum'))) return state;
  const rms = state.filter((s) => s.name.endsWith('/rms'));
  const zeros = rms.map((s) => ({ name: `${s.name.slice(0, -'/rms'.length)}/momentum`, tensor: zerosLike(s.tensor) }));
  const at = state.indexOf(rms[rms.length - 1]) + 1;
  return [...state.slice(0, at), ...zeros, ...state.slice(at)];
}
