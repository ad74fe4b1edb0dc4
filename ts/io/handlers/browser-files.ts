// downloads://prefix saves as two browser downloads (prefix.json and prefix.weights.bin,
// default 'model'); io.browserFiles loads from files a user picked (model.json first,
// then its shards, matched by file name), as TF.js's BrowserDownloads and BrowserFiles.

import { concatenateArrayBuffers, getModelArtifactsInfoForJSON } from '../weights.js';
import { artifactsFromModelJSON, modelJSONFor, parseModelJSON } from '../model-json.js';
import type { IOHandler, ModelArtifacts, SaveResult } from '../types.js';

export const DOWNLOADS_SCHEME = 'downloads://';

export class BrowserDownloads implements IOHandler {
  private readonly prefix: string;

  constructor(prefix = 'model') {
    this.prefix = prefix.length > 0 ? prefix : 'model';
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const doc = (globalThis as { document?: Document }).document;
    if (doc == null) throw new Error('ferrite: downloads:// needs a browser page (document)');
    const weightsName = `${this.prefix}.weights.bin`;
    const json = modelJSONFor(artifacts, `./${weightsName}`);
    const jsonUrl = URL.createObjectURL(new Blob([JSON.stringify(json)], { type: 'application/json' }));
    const weightsUrl = URL.createObjectURL(
      new Blob([concatenateArrayBuffers(artifacts.weightData ?? new ArrayBuffer(0))], {
        type: 'application/octet-stream',
      }),
    );
    for (const [url, name] of [
      [jsonUrl, `${this.prefix}.json`],
      [weightsUrl, weightsName],
    ]) {
      const a = doc.createElement('a');
      a.download = name;
      a.href = url;
      a.dispatchEvent(new MouseEvent('click'));
    }
    return { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts) };
  }
}

/**
 * A handler whose save downloads `<prefix>.json` and `<prefix>.weights.bin` in the page
 * (TF.js's io.browserDownloads; `model.save('downloads://name')` does the same).
 *
 * @example
 * ```ts browser
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [3] })] });
 * await m.save(fe.io.browserDownloads('my-model')); // downloads my-model.json and my-model.weights.bin
 * ```
 */
export function browserDownloads(prefix = 'model'): IOHandler {
  return new BrowserDownloads(prefix);
}

export class BrowserFiles implements IOHandler {
  constructor(private readonly files: File[]) {
    if (!Array.isArray(files) || files.length < 1)
      throw new Error('ferrite: io.browserFiles: expected [model.json, ...weight files]');
  }

  async load(): Promise<ModelArtifacts> {
    const [jsonFile, ...weightFiles] = this.files;
    const json = parseModelJSON(await jsonFile.text(), `io.browserFiles ${jsonFile.name}`);
    const byName = new Map(weightFiles.map((f) => [f.name, f]));
    const used = new Set<string>();
    const artifacts = await artifactsFromModelJSON(
      json,
      async (group) =>
        Promise.all(
          group.paths.map(async (p) => {
            const base = p.slice(p.lastIndexOf('/') + 1);
            const f = byName.get(base);
            if (f === undefined)
              throw new Error(
                `ferrite: io.browserFiles: weight file '${base}' named by ${jsonFile.name} was not given`,
              );
            used.add(base);
            return f.arrayBuffer();
          }),
        ),
      `io.browserFiles ${jsonFile.name}`,
    );
    const extra = [...byName.keys()].filter((n) => !used.has(n));
    if (extra.length > 0)
      throw new Error(`ferrite: io.browserFiles: file(s) ${extra.join(', ')} are not named in ${jsonFile.name}`);
    return artifacts;
  }
}

/**
 * A handler that loads a model from files a user picked: model.json first, then its
 * weight files (TF.js's io.browserFiles).
 *
 * @example
 * ```ts browser
 * const input = document.querySelector<HTMLInputElement>('input[type=file]')!; // model.json + weights.bin chosen
 * const m = await fe.loadLayersModel(fe.io.browserFiles([...input.files!]));
 * ```
 */
export function browserFiles(files: File[]): IOHandler {
  return new BrowserFiles(files);
}
