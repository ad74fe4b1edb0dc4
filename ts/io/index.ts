// The `io` namespace, as TF.js's `tf.io`: handlers for where models are saved and
// loaded, model management for the browser stores, and the weight encoding.

export { fromMemory, withSaveHandler } from './handlers/memory.js';
export { http } from './handlers/http.js';
export { browserDownloads, browserFiles } from './handlers/browser-files.js';
export { registerSaveRouter, registerLoadRouter, getSaveHandlers, getLoadHandlers, type IORouter } from './router.js';
export { listModels, copyModel, moveModel, removeModel } from './model-management.js';
export { encodeWeights, decodeWeights, concatenateArrayBuffers, getModelArtifactsInfoForJSON } from './weights.js';
export type {
  IOHandler,
  LoadOptions,
  SaveConfig,
  SaveResult,
  ModelArtifacts,
  ModelArtifactsInfo,
  ModelJSON,
  TrainingConfig,
  WeightsManifestConfig,
  WeightsManifestEntry,
  WeightsManifestGroupConfig,
  WeightGroup,
} from './types.js';
export type { LoadHandler, SaveHandler, OnProgressCallback } from './types.js';
export type { QuantizationDtype } from './quantization.js';
