// The shapes of TF.js's `io` API, field for field: what a model is saved as
// (ModelArtifacts, and model.json's ModelJSON with its weights manifest), and what
// saving and loading go through (IOHandler). Files written by TF.js, the tensorflowjs
// converter and Ferrite are interchangeable because these match.

import type { QuantizationOptions } from './quantization.js';

/**
 * One weight in a manifest: its name, shape, dtype and how it is stored.
 *
 * @example
 * ```ts
 * const { specs } = await fe.io.encodeWeights({ w: fe.tensor1d([1, 2]) });
 * specs[0]; // { name: 'w', shape: [2], dtype: 'float32' }
 * ```
 */
export interface WeightsManifestEntry {
  /** The weight's name (`dense_1/kernel`). */
  name: string;
  /** The weight's shape. */
  shape: number[];
  /** The weight's dtype as stored (or as restored, when quantized). */
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  /** 'model' (default) or 'optimizer' (TF.js's includeOptimizer state). */
  group?: WeightGroup;
  /** Set when the values are stored quantized (as the tensorflowjs converter writes them). */
  quantization?: {
    /** The stored dtype. */
    dtype: 'uint8' | 'uint16' | 'float16';
    /** uint8/uint16: value = q * scale + min. */
    scale?: number;
    /** uint8/uint16: the value that q = 0 stands for. */
    min?: number;
    /** The dtype the values had before quantization. */
    original_dtype?: 'float32' | 'int32';
  };
}

/**
 * Which state a weight belongs to: the model's weights, or the optimizer's (saved with includeOptimizer).
 *
 * @example
 * ```ts
 * const { specs } = await fe.io.encodeWeights({ 'w/m': fe.zeros([2]) }, 'optimizer');
 * specs[0].group; // 'optimizer'
 * ```
 */
export type WeightGroup = 'model' | 'optimizer';

/**
 * One group of model.json's weightsManifest: shard file paths and the weights they hold, in order.
 *
 * @example
 * ```ts
 * const manifest: fe.io.WeightsManifestConfig = [{ paths: ['weights.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32' }] }];
 * manifest[0].weights.length; // 1: model.json's weightsManifest lists shard files and the weights in them
 * ```
 */
export interface WeightsManifestGroupConfig {
  /** The shard files, relative to model.json. */
  paths: string[];
  /** The weights the shards hold, in order. */
  weights: WeightsManifestEntry[];
}

/**
 * model.json's `weightsManifest`: every group of shards.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const json = await new Promise<fe.io.ModelArtifacts>((resolve) => void m.save(fe.io.withSaveHandler(async (a) => (resolve(a), { modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) }))));
 * json.weightSpecs?.length; // 2: written to model.json as one weightsManifest group
 * ```
 */
export type WeightsManifestConfig = WeightsManifestGroupConfig[];

/**
 * What model.compile was given, as TF.js saves it with includeOptimizer.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
 * let config: fe.io.TrainingConfig | undefined;
 * const save = fe.io.withSaveHandler(async (a) => ((config = a.trainingConfig), { modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) }));
 * await m.save(save, { includeOptimizer: true });
 * config?.loss; // 'mean_squared_error'
 * m.dispose();
 * ```
 */
export interface TrainingConfig {
  /** The optimizer's class name and config. */
  optimizer_config: {
    /** The optimizer's class name ('Adam'). */
    class_name: string;
    /** Its hyperparameters. */
    config: Record<string, unknown>;
  };
  /** The loss (or one per output). */
  loss: string | string[] | Record<string, string>;
  /** The metrics (or per output). */
  metrics?: string[] | Record<string, string>;
  /** Keras's weighted metrics (saved as given; Ferrite does not use them). */
  weighted_metrics?: string[];
  /** Keras's sample weight mode (saved as given; Ferrite does not use it). */
  sample_weight_mode?: string;
  /** The weight of each output's loss in the total. */
  loss_weights?: number[] | Record<string, number>;
}

/** What model.json and ModelArtifacts carry besides topology and weights. */
export interface ArtifactsMetadata {
  /** The compile arguments, when saved with includeOptimizer. */
  trainingConfig?: TrainingConfig;
  /** The file format ('layers-model'). */
  format?: string;
  /** What wrote the file (library and version). */
  generatedBy?: string;
  /** The converter that wrote the file, if any. */
  convertedBy?: string | null;
  /** TF.js's model signature (kept as given). */
  signature?: object;
  /** Metadata the user attached (kept as given). */
  userDefinedMetadata?: Record<string, object>;
  /** TF.js's graph-model initializer (kept as given). */
  modelInitializer?: object;
  /** TF.js's initializer signature (kept as given). */
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

/**
 * A saved model in memory: topology, weights and their specs (TF.js's io.ModelArtifacts).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * let artifacts!: fe.io.ModelArtifacts;
 * await m.save(fe.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) })));
 * Object.keys(artifacts); // ['modelTopology', 'format', 'generatedBy', 'convertedBy', 'weightData', 'weightSpecs']
 * ```
 */
export interface ModelArtifacts extends ArtifactsMetadata {
  /** The model's topology: model.json's `modelTopology` (Keras's JSON form of the layers). */
  modelTopology?: object | ArrayBuffer;
  /** The name, shape and dtype of each weight, in the order of weightData. */
  weightSpecs?: WeightsManifestEntry[];
  /** The weights' bytes, in weightSpecs order (one buffer, or TF.js's list of buffers). */
  weightData?: ArrayBuffer | ArrayBuffer[];
}

/**
 * model.json.
 *
 * @example
 * ```ts no-run
 * const json: fe.io.ModelJSON = JSON.parse(await (await fetch('https://example.com/model/model.json')).text());
 * json.weightsManifest[0].paths; // ['group1-shard1of1.bin']
 * ```
 */
export interface ModelJSON extends ArtifactsMetadata {
  /** The model's topology (Keras's JSON form of the layers). */
  modelTopology: object;
  /** Where the weights are and what they hold. */
  weightsManifest: WeightsManifestConfig;
}

/**
 * Sizes and date of a saved model (TF.js's io.ModelArtifactsInfo).
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const info = (await m.save(fe.io.withSaveHandler(async (a) => ({ modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(a) })))).modelArtifactsInfo;
 * info.weightDataBytes; // 12
 * ```
 */
export interface ModelArtifactsInfo {
  /** When the model was saved. */
  dateSaved: Date;
  /** 'JSON' for layers models. */
  modelTopologyType: 'JSON' | 'GraphDef';
  /** Size of the topology as JSON, in bytes. */
  modelTopologyBytes?: number;
  /** Size of the weight specs as JSON, in bytes. */
  weightSpecsBytes?: number;
  /** Size of the weight data, in bytes. */
  weightDataBytes?: number;
}

/**
 * What saving returns (TF.js's io.SaveResult).
 *
 * @example
 * ```ts no-run
 * const result = await fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] }).save('file://./tiny');
 * result.modelArtifactsInfo.modelTopologyType; // 'JSON'
 * ```
 */
export interface SaveResult {
  /** Sizes and date of what was saved. */
  modelArtifactsInfo: ModelArtifactsInfo;
  /** The http handler's responses. */
  responses?: Response[];
  /** Errors the handler reports without throwing. */
  errors?: (object | string)[];
}

/**
 * Saves model artifacts somewhere, resolving to what was saved.
 *
 * @example
 * ```ts
 * const save: fe.io.SaveHandler = async (artifacts) => ({ modelArtifactsInfo: fe.io.getModelArtifactsInfoForJSON(artifacts) });
 * await fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] }).save({ save });
 * ```
 */
export type SaveHandler = (artifacts: ModelArtifacts) => Promise<SaveResult>;
/**
 * Loads model artifacts from somewhere.
 *
 * @example
 * ```ts
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [2] })] });
 * const load: fe.io.LoadHandler = async () => ({ modelTopology: m.toJSON(undefined, false) as object });
 * (await fe.loadLayersModel({ load }, { strict: false })).countParams(); // 3
 * ```
 */
export type LoadHandler = () => Promise<ModelArtifacts>;

/** Where a model is saved to and/or loaded from. */
export interface IOHandler {
  /** Saves artifacts (absent for load-only handlers). */
  save?: SaveHandler;
  /** Loads artifacts (absent for save-only handlers). */
  load?: LoadHandler;
}

/**
 * Called with the fraction (0 to 1) of the weights loaded so far.
 *
 * @example
 * ```ts no-run
 * await fe.loadLayersModel('https://example.com/model/model.json', { onProgress: (f) => console.log(`${Math.round(f * 100)}%`) });
 * ```
 */
export type OnProgressCallback = (fraction: number) => void;

/**
 * Options of loadLayersModel and the http handler (TF.js's io.LoadOptions).
 *
 * @example
 * ```ts no-run
 * const m = await fe.loadLayersModel('https://example.com/model/model.json', {
 *   requestInit: { headers: { Authorization: 'Bearer token' } },
 *   strict: false, // a model.json whose weights do not all match is still loaded
 * });
 * ```
 */
export interface LoadOptions {
  /** Request options for fetch (headers, credentials, ...). Not its body. */
  requestInit?: RequestInit;
  /** Called as weights load, with the fraction done (0 to 1). */
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
