// model.json <-> ModelArtifacts, shared by the handlers that store files (http, file://,
// downloads, browserFiles): the JSON names the shards, the artifacts hold their bytes.

import { concatenateArrayBuffers, entryByteLength, manifestByteLength } from './weights.js';
import {
  METADATA_KEYS,
  type ModelArtifacts,
  type ModelJSON,
  type WeightsManifestConfig,
  type WeightsManifestGroupConfig,
} from './types.js';

/** model.json for artifacts whose weights are written to one file, `weightsPath`. */
export function modelJSONFor(artifacts: ModelArtifacts, weightsPath: string): ModelJSON {
  if (artifacts.modelTopology instanceof ArrayBuffer)
    throw new Error('ferrite: saving a binary (GraphDef) model topology is not supported');
  const json: ModelJSON = {
    modelTopology: artifacts.modelTopology ?? {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
  };
  for (const k of METADATA_KEYS)
    if (!(k in json) && artifacts[k] != null) (json as unknown as Record<string, unknown>)[k] = artifacts[k];
  return json;
}

/** Parses and checks model.json's text (a hostile file must fail here, clearly). */
export function parseModelJSON(text: string, where: string): ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`ferrite: ${where}: model.json is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new Error(`ferrite: ${where}: model.json must be a JSON object`);
  const m = json as ModelJSON;
  if (m.modelTopology == null && m.weightsManifest == null)
    throw new Error(`ferrite: ${where}: model.json has neither modelTopology nor weightsManifest`);
  if (m.weightsManifest != null) {
    if (!Array.isArray(m.weightsManifest)) throw new Error(`ferrite: ${where}: weightsManifest must be an array`);
    for (const g of m.weightsManifest) {
      if (g === null || typeof g !== 'object' || !Array.isArray(g.paths) || !Array.isArray(g.weights))
        throw new Error(`ferrite: ${where}: each weightsManifest group needs paths and weights arrays`);
      for (const p of g.paths)
        if (typeof p !== 'string') throw new Error(`ferrite: ${where}: weight paths must be strings`);
    }
    manifestByteLength(
      m.weightsManifest.flatMap((g) => g.weights),
      where,
    );
  }
  return m;
}

/**
 * Artifacts from model.json, reading each group's shards with `readShards` (in order)
 * and checking that a group's shards hold exactly its weights.
 */
export async function artifactsFromModelJSON(
  json: ModelJSON,
  readShards: (group: WeightsManifestGroupConfig) => Promise<ArrayBuffer[]>,
  where: string,
): Promise<ModelArtifacts> {
  const artifacts: ModelArtifacts = { modelTopology: json.modelTopology };
  for (const k of METADATA_KEYS) if (json[k] !== undefined) (artifacts as Record<string, unknown>)[k] = json[k];
  const manifest: WeightsManifestConfig | undefined = json.weightsManifest;
  if (manifest != null) {
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      const need = group.weights.reduce((n, e) => n + entryByteLength(e, where), 0);
      const data = concatenateArrayBuffers(await readShards(group));
      if (data.byteLength !== need)
        throw new Error(
          `ferrite: ${where}: shards ${group.paths.join(', ')} hold ${data.byteLength} bytes, their weights need ${need}`,
        );
      buffers.push(data);
    }
    artifacts.weightSpecs = manifest.flatMap((g) => g.weights);
    artifacts.weightData = concatenateArrayBuffers(buffers);
  }
  return artifacts;
}
