// loadLayersModel: TF.js's artifacts back to a model. Loading reads files from anywhere, so
// every part is checked (see io/weights.ts and io/topology.ts) and a failure disposes what
// was built.

import { Layer } from '../layers/layer.js';
import type { Variable } from '../tensor/tensor.js';
import { deserialize } from '../serialization/registry.js';
import { optimizerFromConfig, type NamedTensor } from '../optimizers/index.js';
import type { OptimizerConfig } from '../optimizers/optimizer.js';
import { fmtShape, sameShape } from '../ops/util.js';
import { convertPythonicToTs } from '../io/topology.js';
import { decodeWeightList, concatenateArrayBuffers, manifestByteLength } from '../io/weights.js';
import { getLoadHandlers } from '../io/router.js';
import { http } from '../io/handlers/http.js';
import type { IOHandler, LoadOptions, ModelArtifacts, TrainingConfig } from '../io/types.js';
import { LayersModel } from './layers-model.js';
import { namedWeights } from './save.js';

function loadHandlerFor(source: IOHandler | string, options: LoadOptions): IOHandler {
  if (typeof source !== 'string') {
    if (source === null || typeof source !== 'object' || typeof source.load !== 'function')
      throw new Error('ferrite: loadLayersModel: expected a URL string or an IOHandler with a load method');
    return source;
  }
  const handlers = getLoadHandlers(source, options);
  if (handlers.length > 0) return handlers[0];
  // As TF.js: in a page or worker any other string is a URL relative to the document.
  if ((globalThis as { location?: unknown }).location !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(source))
    return http(source, options);
  throw new Error(`ferrite: loadLayersModel: cannot find any load handler for URL '${source}'`);
}

/**
 * Loads a model saved by model.save, TF.js or the tensorflowjs converter, like
 * `tf.loadLayersModel`: from a URL (http(s)://, localstorage://, indexeddb://, file://)
 * or an IOHandler (io.fromMemory, io.browserFiles, io.http).
 *
 * @example
 * ```ts no-run
 * const m = await fe.loadLayersModel('https://example.com/my-model/model.json'); // or 'file://dir/model.json'
 * m.predict(fe.zeros([1, ...(m.inputs[0].shape.slice(1) as number[])]));
 * ```
 */
export async function loadLayersModel(source: IOHandler | string, options: LoadOptions = {}): Promise<LayersModel> {
  const handler = loadHandlerFor(source, options);
  const artifacts = await handler.load!();
  return modelFromArtifacts(artifacts, options.strict ?? true);
}

/** Builds a model from artifacts: topology, then training config, then weights. */
export async function modelFromArtifacts(artifacts: ModelArtifacts, strict = true): Promise<LayersModel> {
  if (artifacts === null || typeof artifacts !== 'object')
    throw new Error('ferrite: loadLayersModel: the handler returned no model artifacts');
  let topology = artifacts.modelTopology as Record<string, unknown> | undefined;
  if (topology === undefined || topology === null || typeof topology !== 'object' || topology instanceof ArrayBuffer)
    throw new Error('ferrite: loadLayersModel: the artifacts have no JSON modelTopology (is this a graph model?)');
  if (topology.model_config != null) topology = topology.model_config as Record<string, unknown>;
  // Check the manifest and the data before building anything.
  const specs = artifacts.weightSpecs;
  if (artifacts.weightData != null) {
    if (specs == null) throw new Error('ferrite: loadLayersModel: the artifacts have weight data but no weight specs');
    const have = concatenateArrayBuffers(artifacts.weightData).byteLength;
    const need = manifestByteLength(specs, 'loadLayersModel');
    if (have !== need)
      throw new Error(
        `ferrite: loadLayersModel: the weight data has ${have} bytes, the manifest describes ${need} (${have < need ? 'truncated data or missing shards' : 'extra data'})`,
      );
  }
  const ts = convertPythonicToTs(topology) as { className?: unknown; config?: Record<string, unknown> };
  if (typeof ts.className !== 'string') throw new Error('ferrite: loadLayersModel: modelTopology has no class_name');
  const model = deserialize<unknown>({ className: ts.className, config: ts.config ?? {} }, 'model');
  if (!(model instanceof LayersModel)) {
    if (model instanceof Layer) model.dispose();
    throw new Error(`ferrite: loadLayersModel: modelTopology is a ${ts.className}, not a model`);
  }
  try {
    if (artifacts.trainingConfig != null) compileFromTrainingConfig(model, artifacts.trainingConfig);
    if (artifacts.weightData != null) await loadWeights(model, artifacts, strict);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}

function compileFromTrainingConfig(model: LayersModel, tc: TrainingConfig): void {
  if (tc.weighted_metrics != null)
    throw new Error('ferrite: loadLayersModel: weighted_metrics in the training config are not supported');
  const oc = tc.optimizer_config;
  if (oc === null || typeof oc !== 'object' || typeof oc.class_name !== 'string')
    throw new Error('ferrite: loadLayersModel: the training config has no optimizer_config.class_name');
  const optConfig = convertPythonicToTs(oc.config ?? {}) as OptimizerConfig;
  model.compile({
    optimizer: optimizerFromConfig(oc.class_name, optConfig),
    loss: convertPythonicToTs(tc.loss) as string,
    metrics: tc.metrics == null ? undefined : (convertPythonicToTs(tc.metrics) as string[]),
  });
}

async function loadWeights(model: LayersModel, artifacts: ModelArtifacts, strict: boolean): Promise<void> {
  const decoded = decodeWeightList(artifacts.weightData!, artifacts.weightSpecs!, 'loadLayersModel');
  try {
    const byName = new Map(namedWeights(model).map((w) => [w.name, w.variable]));
    const found = new Set<string>();
    const assignments: [Variable, NamedTensor][] = [];
    const optimizerState: NamedTensor[] = [];
    for (const w of decoded) {
      if (w.group === 'optimizer') {
        optimizerState.push(w);
        continue;
      }
      const v = byName.get(w.name);
      if (v === undefined) {
        if (strict)
          throw new Error(
            `ferrite: loadLayersModel: the file has weight '${w.name}', which the model does not (model weights: ${[...byName.keys()].join(', ')}); pass {strict: false} to ignore it`,
          );
        continue;
      }
      if (!sameShape(v.shape, w.tensor.shape) || v.dtype !== w.tensor.dtype)
        throw new Error(
          `ferrite: loadLayersModel: weight '${w.name}' is ${w.tensor.dtype} ${fmtShape(w.tensor.shape)} in the file, ${v.dtype} ${fmtShape(v.shape)} in the model`,
        );
      found.add(w.name);
      assignments.push([v, w]);
    }
    const missing = [...byName.keys()].filter((n) => !found.has(n));
    if (strict && missing.length > 0)
      throw new Error(
        `ferrite: loadLayersModel: the file lacks weight(s) ${missing.join(', ')}; pass {strict: false} to keep their initial values`,
      );
    for (const [v, w] of assignments) v.assign(w.tensor);
    if (optimizerState.length > 0 && model.compiled !== null) {
      // Slots name the weights as saved; the optimizer knows the variables by their live names.
      const liveName = new Map([...byName].map(([saved, v]) => [saved, v.name]));
      await model.compiled.optimizer.setWeights(
        optimizerState.map(({ name, tensor }) => {
          const cut = name.lastIndexOf('/');
          const live = cut < 0 ? undefined : liveName.get(name.slice(0, cut));
          return { name: live === undefined ? name : `${live}${name.slice(cut)}`, tensor };
        }),
      );
    }
  } finally {
    for (const w of decoded) w.tensor.dispose();
  }
}

/**
 * A model (new weights) from a topology, TF.js's `tf.models.modelFromJSON`: a Keras
 * topology (`{class_name, config}`) or a model.json's content (its modelTopology is used;
 * its weight files are not fetched: use loadLayersModel for those).
 */
export async function modelFromJSON(modelAndWeightsConfig: object): Promise<LayersModel> {
  if (modelAndWeightsConfig === null || typeof modelAndWeightsConfig !== 'object')
    throw new Error('ferrite: models.modelFromJSON: expected a model topology object');
  const c = modelAndWeightsConfig as { modelTopology?: object };
  return modelFromArtifacts({ modelTopology: c.modelTopology ?? modelAndWeightsConfig });
}
