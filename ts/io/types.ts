// The shapes of TF.js's `io` API, field for field: what a model is saved as
// (ModelArtifacts, and model.json's ModelJSON with its weights manifest), and what
// saving and loading go through (IOHandler). Files written by TF.js, the tensorflowjs
// converter and Ferrite are interchangeable because these match.

import type { QuantizationOptions } from './quantization.js';

/** One weight in a manifest: its name, shape, dtype and how it is stored. */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  /** 'model' (default) or 'optimizer' (TF.js's includeOptimizer state). */
  group?: WeightGroup;
  /** Set when the values are stored quantized (as the tensorflowjs converter writes them). */
  quantization?: {
    dtype: 'uint8' | 'uint16' | 'float16';
    scale?: number;
    min?: number;
    original_dtype?: 'float32' | 'int32';
  };
}

export type WeightGroup = 'model' | 'optimizer';

/** One group of model.json's weightsManifest: shard file paths and the weights they hold, in order. */
export interface WeightsManifestGroupConfig {
  paths: string[];
  weights: WeightsManifestEntry[];
}

export type WeightsManifestConfig = WeightsManifestGroupConfig[];

/** What model.compile was given, as TF.js saves it with includeOptimizer. */
export interface TrainingConfig {
  optimizer_config: { class_name: string; config: Record<string, unknown> };
  loss: string | string[] | Record<string, string>;
  metrics?: string[] | Record<string, string>;
  weighted_metrics?: string[];
  sample_weight_mode?: string;
  loss_weights?: number[] | Record<string, number>;
}

/** What model.json and ModelArtifacts carry besides topology and weights. */
export interface ArtifactsMetadata {
  trainingConfig?: TrainingConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: object;
  userDefinedMetadata?: Record<string, object>;
  modelInitializer?: object;
  initializerSignature?: object;
}

/** The keys of ArtifactsMetadata, copied between model.json, artifacts and the browser stores. */
export const METADATA_KEYS = [
  'trainingConfig',
  'format',
  'generatedBy',
  'convertedBy',
  'signature',
  'userDefinedMetadata',
  'modelInitializer',
  'initializerSignature',
] as const;

/** A saved model in memory: topology, weights and their specs (TF.js's io.ModelArtifacts). */
export interface ModelArtifacts extends ArtifactsMetadata {
  modelTopology?: object | ArrayBuffer;
  weightSpecs?: WeightsManifestEntry[];
  /** The weights' bytes, in weightSpecs order (one buffer, or TF.js's list of buffers). */
  weightData?: ArrayBuffer | ArrayBuffer[];
}

/** model.json. */
export interface ModelJSON extends ArtifactsMetadata {
  modelTopology: object;
  weightsManifest: WeightsManifestConfig;
}

export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON' | 'GraphDef';
  modelTopologyBytes?: number;
  weightSpecsBytes?: number;
  weightDataBytes?: number;
}

export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  responses?: Response[];
  errors?: (object | string)[];
}

export type SaveHandler = (artifacts: ModelArtifacts) => Promise<SaveResult>;
export type LoadHandler = () => Promise<ModelArtifacts>;

/** Where a model is saved to and/or loaded from. */
export interface IOHandler {
  save?: SaveHandler;
  load?: LoadHandler;
}

export type OnProgressCallback = (fraction: number) => void;

/** Options of loadLayersModel and the http handler (TF.js's io.LoadOptions). */
export interface LoadOptions {
  /** Request options for fetch (headers, credentials, ...). Not its body. */
  requestInit?: RequestInit;
  onProgress?: OnProgressCallback;
  /** Fetch function (default: the global fetch). */
  fetchFunc?: typeof fetch;
  /** Every weight of the model must be in the file and every weight of the file in the model. Default true. */
  strict?: boolean;
  /** Where weight shards are, when not beside model.json. */
  weightPathPrefix?: string;
  /** Save/load: whether the http handler sends/expects model.json only. */
  weightUrlConverter?: (weightFileName: string) => Promise<string>;
}

/**
 * Options of model.save (TF.js's io.SaveConfig, plus Ferrite's quantization, as the
 * tensorflowjs converter's --quantize_uint8 / --quantize_uint16 / --quantize_float16 do
 * it: `{quantize: 'uint8'}` for every float32 weight, or `{quantizeUint8: ['*\/kernel'],
 * quantizeFloat16: ['dense_1/*']}` per weight name; the files load in TF.js).
 */
export interface SaveConfig extends QuantizationOptions {
  /** Save the optimizer's state (slots and iteration count) and the compile arguments. */
  includeOptimizer?: boolean;
  /** Save only trainable weights. */
  trainableOnly?: boolean;
}

/** A model listed by listModels. */
export type ModelStoreListing = Record<string, ModelArtifactsInfo>;
