// io.http: load model.json and its shards over HTTP (shards relative to model.json, or
// under weightPathPrefix), save by POSTing a multipart form (model.json and
// model.weights.bin), as TF.js's HTTPRequest does.

import { getModelArtifactsInfoForJSON, concatenateArrayBuffers } from '../weights.js';
import { artifactsFromModelJSON, modelJSONFor, parseModelJSON } from '../model-json.js';
import type { IOHandler, LoadOptions, ModelArtifacts, SaveResult } from '../types.js';

/** 'http://h/a/model.json?v=1' -> ['http://h/a/', '?v=1']. */
function splitUrl(url: string): [string, string] {
  const q = url.indexOf('?');
  const base = q < 0 ? url : url.slice(0, q);
  return [base.slice(0, base.lastIndexOf('/') + 1), q < 0 ? '' : url.slice(q)];
}

export class HTTPRequest implements IOHandler {
  private readonly fetchFunc: typeof fetch;
  private readonly requestInit: RequestInit;

  constructor(
    readonly path: string,
    private readonly options: LoadOptions = {},
  ) {
    if (typeof path !== 'string' || path.length === 0)
      throw new Error('ferrite: io.http: the URL must be a non-empty string');
    const global = (globalThis as { fetch?: typeof fetch }).fetch;
    if (options.fetchFunc === undefined && typeof global !== 'function')
      throw new Error('ferrite: io.http: no fetch function (pass options.fetchFunc)');
    // Browsers' fetch must be called on the global object, not on this handler.
    this.fetchFunc = options.fetchFunc ?? global!.bind(globalThis);
    if (options.requestInit?.body != null)
      throw new Error('ferrite: io.http: requestInit must not have a body (the handler sets it)');
    this.requestInit = options.requestInit ?? {};
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const weightsFile = 'model.weights.bin';
    const json = modelJSONFor(artifacts, `./${weightsFile}`);
    const form = new FormData();
    form.append('model.json', new Blob([JSON.stringify(json)], { type: 'application/json' }), 'model.json');
    if (artifacts.weightData != null)
      form.append(
        weightsFile,
        new Blob([concatenateArrayBuffers(artifacts.weightData)], { type: 'application/octet-stream' }),
        weightsFile,
      );
    const response = await this.fetchFunc(this.path, { method: 'POST', ...this.requestInit, body: form });
    if (!response.ok)
      throw new Error(
        `ferrite: io.http: saving to ${this.path} failed: HTTP ${response.status} ${response.statusText}`,
      );
    return { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts), responses: [response] };
  }

  async load(): Promise<ModelArtifacts> {
    const response = await this.fetchFunc(this.path, this.requestInit);
    if (!response.ok)
      throw new Error(`ferrite: io.http: loading ${this.path} failed: HTTP ${response.status} ${response.statusText}`);
    const json = parseModelJSON(await response.text(), `io.http ${this.path}`);
    const [prefix, suffix] = splitUrl(this.path);
    const base = this.options.weightPathPrefix ?? prefix;
    const total = (json.weightsManifest ?? []).reduce((n, g) => n + g.paths.length, 0);
    let done = 0;
    return artifactsFromModelJSON(
      json,
      async (group) =>
        Promise.all(
          group.paths.map(async (p) => {
            const url = this.options.weightUrlConverter ? await this.options.weightUrlConverter(p) : base + p + suffix;
            const r = await this.fetchFunc(url, this.requestInit);
            if (!r.ok) throw new Error(`ferrite: io.http: weight shard ${url}: HTTP ${r.status} ${r.statusText}`);
            const buf = await r.arrayBuffer();
            this.options.onProgress?.(++done / total);
            return buf;
          }),
        ),
      `io.http ${this.path}`,
    );
  }
}

/**
 * A handler for a model at (load) or to (save) a URL, like `tf.io.http(path, options)`.
 *
 * @example
 * ```ts no-run
 * const m = fe.sequential({ layers: [fe.layers.dense({ units: 1, inputShape: [3] })] });
 * await m.save(fe.io.http('https://example.com/upload', { requestInit: { method: 'PUT' } })); // multipart form
 * const again = await fe.loadLayersModel(fe.io.http('https://example.com/model/model.json'));
 * ```
 */
export function http(path: string, options?: LoadOptions): IOHandler {
  return new HTTPRequest(path, options);
}

export function isHTTPScheme(url: string): boolean {
  return /^https?:\/\//i.test(url);
}
