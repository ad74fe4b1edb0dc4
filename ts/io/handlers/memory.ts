// Handlers that keep artifacts in memory (TF.js's io.fromMemory, io.withSaveHandler).

import type { IOHandler, ModelArtifacts, SaveResult, TrainingConfig, WeightsManifestEntry } from '../types.js';

/**
 * A handler that loads the given artifacts (or, TF.js's older form, a topology with
 * weight specs and data).
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

/** A handler whose save calls `saveHandler` with the artifacts. */
export function withSaveHandler(saveHandler: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler {
  return { save: saveHandler };
}
