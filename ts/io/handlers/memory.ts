// Handlers that keep artifacts in memory (TF.js's io.fromMemory, io.withSaveHandler).

import type { IOHandler, ModelArtifacts, SaveResult, TrainingConfig, WeightsManifestEntry } from '../types.js';

/**
 * A handler that loads the given artifacts (or, TF.js's older form, a topology with
 * weight specs and data).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 2, inputShape: [3] })] });
 * let saved!: fe.io.ModelArtifacts;
 * await m.save(fe.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) })));
 * const copy = await fe.loadLayersModel(fe.io.fromMemory(saved));
 * copy.countParams(); // 8: the same weights
 * ```
 */
export function fromMemory(
  modelArtifacts: object | ModelArtifacts,
  weightSpecs?: WeightsManifestEntry[],
  weightData?: ArrayBuffer,
  trainingConfig?: TrainingConfig,
): IOHandler {
  const a = modelArtifacts as ModelArtifacts;
  const artifacts: ModelArtifacts =
    weightSpecs === undefined && (a.modelTopology !== undefined || a.weightSpecs !== undefined)
      ? a
      : { modelTopology: modelArtifacts, weightSpecs, weightData, trainingConfig };
  return { load: async () => artifacts };
}

/**
 * A handler whose save calls `saveHandler` with the artifacts.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [3] })] });
 * const result = await m.save(fe.io.withSaveHandler(async (artifacts) => {
 *   console.log(artifacts.weightSpecs?.length); // 2: the kernel and the bias
 *   return { modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(artifacts) };
 * }));
 * result.modelArtifactsInfo.weightDataBytes; // 16: 4 float32 values
 * ```
 */
export function withSaveHandler(saveHandler: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler {
  return { save: saveHandler };
}
