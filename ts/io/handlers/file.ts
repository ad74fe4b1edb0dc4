// file:// in Node, as tfjs-node writes it: saving to `file://dir` writes dir/model.json
// and dir/weights.bin; loading `file://dir/model.json` reads the shards it names beside it.

import { concatenateArrayBuffers, getModelArtifactsInfoForJSON } from '../weights.js';
import { artifactsFromModelJSON, modelJSONFor, parseModelJSON } from '../model-json.js';
import type { IOHandler, ModelArtifacts, SaveResult } from '../types.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

function nodeModule<T>(id: string): T {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof p?.getBuiltinModule !== 'function') throw new Error('ferrite: file:// URLs work in Node only');
  return p.getBuiltinModule(id) as T;
}

export class NodeFileSystem implements IOHandler {
  readonly path: string;

  constructor(url: string) {
    this.path = url.replace(/^file:\/\//, '');
    if (this.path.length === 0) throw new Error('ferrite: file://: the path is empty');
  }

  async save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const fs = nodeModule<Fs>('node:fs/promises');
    const path = nodeModule<Path>('node:path');
    await fs.mkdir(this.path, { recursive: true });
    const json = modelJSONFor(artifacts, 'weights.bin');
    await fs.writeFile(path.join(this.path, 'model.json'), JSON.stringify(json));
    await fs.writeFile(
      path.join(this.path, 'weights.bin'),
      new Uint8Array(concatenateArrayBuffers(artifacts.weightData ?? new ArrayBuffer(0))),
    );
    return { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts) };
  }

  async load(): Promise<ModelArtifacts> {
    const fs = nodeModule<Fs>('node:fs/promises');
    const path = nodeModule<Path>('node:path');
    let file = this.path;
    if ((await fs.stat(file)).isDirectory()) file = path.join(file, 'model.json');
    const json = parseModelJSON(await fs.readFile(file, 'utf8'), `file://${file}`);
    const dir = path.dirname(file);
    return artifactsFromModelJSON(
      json,
      async (group) =>
        Promise.all(
          group.paths.map(async (p) => {
            const target = path.resolve(dir, p);
            const b = await fs.readFile(target);
            return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
          }),
        ),
      `file://${file}`,
    );
  }
}

export function isFileScheme(url: string): boolean {
  return url.startsWith('file://');
}
