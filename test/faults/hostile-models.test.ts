// A model.json or shard from elsewhere can be wrong or hostile. Every case here must end
// in a named error before any large allocation, leave no tensor behind, and leave other
// models working.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memory, tensor } from '../../ts/tensor/creation.js';
import * as layers from '../../ts/layers/index.js';
import { sequential, type LayersModel } from '../../ts/models/index.js';
import { loadLayersModel } from '../../ts/models/load.js';
import * as io from '../../ts/io/index.js';
import type { ModelArtifacts, WeightsManifestEntry } from '../../ts/io/types.js';
import { toArtifacts, useTempDir } from '../support/io-models.js';

let good: ModelArtifacts;
let bystander: LayersModel;
const probe = () => tensor([[1, 2, 3]]);
let expected: Float32Array;

beforeAll(async () => {
  const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3], name: 'h' })] });
  good = await toArtifacts(m);
  m.dispose();
  bystander = sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })] });
  const x = probe();
  expected = (bystander.predict(x) as ReturnType<typeof probe>).dataSync() as Float32Array;
  x.dispose();
});

afterAll(() => bystander.dispose());

/** Loading `artifacts` fails with `message`, leaks nothing, and the other model still predicts. */
async function rejects(artifacts: ModelArtifacts, message: RegExp): Promise<void> {
  const before = memory().numTensors;
  await expect(loadLayersModel(io.fromMemory(artifacts))).rejects.toThrow(message);
  expect(memory().numTensors).toBe(before);
  const x = probe();
  const y = bystander.predict(x) as ReturnType<typeof probe>;
  expect(y.dataSync()).toEqual(expected);
  [x, y].forEach((t) => t.dispose());
}

const topo = () => JSON.parse(JSON.stringify(good.modelTopology)) as Record<string, any>;
const specs = () => JSON.parse(JSON.stringify(good.weightSpecs)) as WeightsManifestEntry[];
const data = () => (good.weightData as ArrayBuffer).slice(0);

describe('hostile weight manifests', () => {
  it('a shape whose element count overflows', async () => {
    const s = specs();
    s[0].shape = [2 ** 31, 2 ** 31, 2 ** 31];
    await rejects({ ...good, weightSpecs: s }, /weight 'h\/kernel': shape \[2147483648, .*too large/);
  });

  it('a shape larger than the memory cap', async () => {
    const s = specs();
    s[0].shape = [65536, 65536];
    await rejects({ ...good, weightSpecs: s }, /too large \(more than 2 GiB\)/);
  });

  it('negative, fractional or non-numeric dimensions', async () => {
    for (const bad of [[-1, 2], [1.5, 2], ['3', 2], [null]]) {
      const s = specs();
      s[0].shape = bad as number[];
      await rejects({ ...good, weightSpecs: s }, /invalid dimension/);
    }
  });

  it('weight data shorter or longer than the manifest', async () => {
    await rejects({ ...good, weightData: data().slice(0, 20) }, /has 20 bytes, the manifest describes 32 \(truncated/);
    const longer = new Uint8Array(40);
    longer.set(new Uint8Array(data()));
    await rejects({ ...good, weightData: longer.buffer }, /has 40 bytes, the manifest describes 32 \(extra data\)/);
  });

  it('unknown dtypes and quantization dtypes', async () => {
    const s = specs();
    (s[0] as { dtype: string }).dtype = 'float64';
    await rejects({ ...good, weightSpecs: s }, /weight 'h\/kernel': unsupported dtype "float64"/);
    const q = specs();
    q[0].quantization = { dtype: 'int4' as 'uint8', scale: 1, min: 0 };
    await rejects({ ...good, weightSpecs: q }, /unsupported quantization dtype "int4"/);
  });

  it('NaN or infinite weights', async () => {
    const d = new Float32Array(data());
    d[3] = NaN;
    await rejects({ ...good, weightData: d.buffer }, /weight 'h\/kernel' holds NaN at index 3/);
    const e = new Float32Array(data());
    e[7] = -Infinity;
    await rejects({ ...good, weightData: e.buffer }, /weight 'h\/bias' holds -Infinity at index 1/);
  });

  it('a weight of the wrong shape for the model', async () => {
    const s = specs();
    s[0].shape = [2, 3];
    await rejects(
      { ...good, weightSpecs: s },
      /weight 'h\/kernel' is float32 \[2, 3\] in the file, float32 \[3, 2\] in the model/,
    );
  });

  it('the same weight twice', async () => {
    const s = specs();
    s[1].name = 'h/kernel';
    s[1].shape = [3, 2];
    const d = new Uint8Array(48);
    await rejects({ ...good, weightSpecs: s, weightData: d.buffer }, /weight 'h\/kernel' appears twice/);
  });
});

describe('hostile topologies', () => {
  it('an unknown layer class', async () => {
    const t = topo();
    t.config.layers[0].class_name = 'EvilLayer';
    await rejects({ ...good, modelTopology: t }, /unknown class 'EvilLayer'/);
  });

  it('prototype-pollution keys', async () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const text = JSON.stringify(good.modelTopology).replace('"units":2', `"units":2,"${key}":{"polluted":true}`);
      await rejects({ ...good, modelTopology: JSON.parse(text) }, new RegExp(`forbidden key '${key}'`));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('a deeply nested config', async () => {
    const t = topo();
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10000; i++) {
      const next = {};
      deep.x = next;
      deep = next;
    }
    t.config.layers[0].config.kernel_initializer = root;
    await rejects({ ...good, modelTopology: t }, /nested more than 64 levels deep/);
  });

  it('no topology, a graph model, or a topology that is not a model', async () => {
    await rejects({ ...good, modelTopology: undefined }, /no JSON modelTopology/);
    await rejects({ ...good, modelTopology: new ArrayBuffer(4) }, /no JSON modelTopology/);
    const t = topo();
    await rejects({ ...good, modelTopology: t.config.layers[0] }, /is a Dense, not a model/);
  });

  it('weight data without specs', async () => {
    await rejects({ ...good, weightSpecs: undefined }, /weight data but no weight specs/);
  });

  it('a huge layer in the topology fails without harming the process', async () => {
    const t = topo();
    t.config.layers[0].config.units = 2 ** 30;
    await rejects(
      { ...good, modelTopology: t, weightData: undefined },
      /out of wasm memory allocating 12884901888 bytes/,
    );
  });
});

describe('hostile files on disk', () => {
  const tempDir = useTempDir('ferrite-hostile-');

  it('model.json that is not JSON, not an object, or whose shards hold the wrong bytes', async () => {
    await mkdir(join(tempDir(), 'a'));
    await writeFile(join(tempDir(), 'a', 'model.json'), '{"modelTopology": ');
    await expect(loadLayersModel(`file://${tempDir()}/a/model.json`)).rejects.toThrow(/model\.json is not valid JSON/);
    await writeFile(join(tempDir(), 'a', 'model.json'), '[1, 2]');
    await expect(loadLayersModel(`file://${tempDir()}/a/model.json`)).rejects.toThrow(/must be a JSON object/);
    const json = {
      modelTopology: good.modelTopology,
      weightsManifest: [{ paths: ['w.bin'], weights: good.weightSpecs }],
    };
    await writeFile(join(tempDir(), 'a', 'model.json'), JSON.stringify(json));
    await writeFile(join(tempDir(), 'a', 'w.bin'), new Uint8Array(31));
    await expect(loadLayersModel(`file://${tempDir()}/a/model.json`)).rejects.toThrow(
      /shards w\.bin hold 31 bytes, their weights need 32/,
    );
  });

  it('a manifest asking for terabytes fails before any shard is read', async () => {
    const s = specs();
    s[0].shape = [2 ** 20, 2 ** 20];
    const json = { modelTopology: good.modelTopology, weightsManifest: [{ paths: ['absent.bin'], weights: s }] };
    await writeFile(join(tempDir(), 'big.json'), JSON.stringify(json));
    await expect(loadLayersModel(`file://${tempDir()}/big.json`)).rejects.toThrow(/too large/);
  });
});
