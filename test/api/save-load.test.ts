import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { randomTensor, rng, expectClose } from '../support/helpers.js';
import { memory, tensor } from '../../ts/tensor/creation.js';
import type { Tensor } from '../../ts/tensor/tensor.js';
import * as layers from '../../ts/layers/index.js';
import { models, sequential, type LayersModel } from '../../ts/models/index.js';
import { loadLayersModel } from '../../ts/models/load.js';
import * as io from '../../ts/io/index.js';
import type { ModelJSON } from '../../ts/io/types.js';
import { fromHalf, toHalf } from '../../ts/io/quantization.js';
import { VERSION } from '../../ts/io/version.js';
import { allLayersSequential, functionalModel, toArtifacts, useTempDir } from '../support/io-models.js';

function predictions(m: LayersModel, x: Tensor): Float32Array[] {
  const out = m.predict(x);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array);
  list.forEach((t) => t.dispose());
  return values;
}

function expectSamePredictions(a: LayersModel, b: LayersModel, x: Tensor, tol = 0): void {
  const pa = predictions(a, x);
  const pb = predictions(b, x);
  expect(pb.length).toBe(pa.length);
  pa.forEach((v, i) => (tol === 0 ? expect(pb[i]).toEqual(v) : expectClose(pb[i], v, tol)));
}

describe('save and load through memory', () => {
  it('round-trips a Sequential model with every layer class: topology, weights, predictions, no leaks', async () => {
    const m = allLayersSequential();
    const x = randomTensor([2, 6, 6, 2], rng(3));
    m.predict(x); // builds; nothing trained, but weights are random
    const before = memory().numTensors;
    const art = await toArtifacts(m);
    const loaded = await loadLayersModel(io.fromMemory(art));
    expect(loaded.getClassName()).toBe('Sequential');
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(m.layers.map((l) => l.getClassName()));
    expectSamePredictions(m, loaded, x);
    const n = loaded.weights.length;
    loaded.dispose();
    expect(memory().numTensors).toBe(before);
    expect(n).toBe(m.weights.length);
    m.dispose();
    x.dispose();
  });

  it('round-trips a functional model with two outputs', async () => {
    const m = functionalModel();
    const art = await toArtifacts(m);
    const loaded = await loadLayersModel(io.fromMemory(art));
    expect(loaded.getClassName()).toBe('Model');
    expect(loaded.outputs.length).toBe(2);
    const x = randomTensor([3, 5, 5, 1], rng(4));
    expectSamePredictions(m, loaded, x);
    [m, loaded, x].forEach((t) => t.dispose());
  });

  it('writes the artifacts as TF.js does: Keras topology, format, names, trainable weights first', async () => {
    const m = sequential({
      layers: [
        layers.dense({ units: 3, inputShape: [4], name: 'd1' }),
        layers.batchNormalization({ name: 'bn' }),
        layers.dense({ units: 2, name: 'd2' }),
      ],
    });
    const art = await toArtifacts(m);
    expect(art.format).toBe('layers-model');
    expect(art.generatedBy).toBe(`Ferrite ferrite-nn v${VERSION}`);
    expect(art.convertedBy).toBeNull();
    const topo = art.modelTopology as {
      class_name: string;
      config: { name: string; layers: unknown[] };
      backend: string;
    };
    expect(topo.class_name).toBe('Sequential');
    expect(topo.backend).toBe('tensor_flow.js');
    const first = topo.config.layers[0] as { class_name: string; config: Record<string, unknown> };
    expect(first.class_name).toBe('Dense');
    expect(first.config.batch_input_shape).toEqual([null, 4]);
    expect(first.config.name).toBe('d1');
    expect(first.config.units).toBe(3);
    expect(Object.keys(first.config).every((k) => k === k.toLowerCase())).toBe(true);
    expect(art.weightSpecs!.map((s) => s.name)).toEqual([
      'd1/kernel',
      'd1/bias',
      'bn/gamma',
      'bn/beta',
      'd2/kernel',
      'd2/bias',
      'bn/moving_mean',
      'bn/moving_variance',
    ]);
    expect((art.weightData as ArrayBuffer).byteLength).toBe(4 * (12 + 3 + 3 * 4 + 6 + 2));
    m.dispose();
  });

  it('loads into a second copy while the first lives (variable names made unique) and keeps both usable', async () => {
    const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3], name: 'same' })] });
    const a = await loadLayersModel(io.fromMemory(await toArtifacts(m)));
    expect(a.weights[0].name).not.toBe(m.weights[0].name);
    const x = tensor([[1, 2, 3]]);
    expectSamePredictions(m, a, x);
    // A second save of the copy names weights by layer, not by the renamed variable.
    const again = await toArtifacts(a);
    expect(again.weightSpecs!.map((s) => s.name)).toEqual(['same/kernel', 'same/bias']);
    [m, a, x].forEach((t) => t.dispose());
  });

  it('strict loading names missing and unexpected weights; strict: false skips them', async () => {
    const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3], name: 'k' })] });
    const art = await toArtifacts(m);
    const specs = art.weightSpecs!;
    const dropBias = {
      ...art,
      weightSpecs: specs.slice(0, 1),
      weightData: (art.weightData as ArrayBuffer).slice(0, 24),
    };
    await expect(loadLayersModel(io.fromMemory(dropBias))).rejects.toThrow(/lacks weight\(s\) k\/bias/);
    const renamed = { ...art, weightSpecs: [specs[0], { ...specs[1], name: 'other/bias' }] };
    await expect(loadLayersModel(io.fromMemory(renamed))).rejects.toThrow(/has weight 'other\/bias'/);
    const loose = await loadLayersModel(io.fromMemory(renamed), { strict: false });
    expect(loose.weights[0].dataSync()).toEqual(m.weights[0].dataSync());
    [m, loose].forEach((t) => t.dispose());
  });

  it('models.modelFromJSON builds the topology of artifacts or of model.json, with fresh weights', async () => {
    const m = functionalModel();
    const art = await toArtifacts(m);
    for (const source of [art.modelTopology!, { modelTopology: art.modelTopology, weightsManifest: [] }]) {
      const built = await models.modelFromJSON(source);
      expect(built.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
      expect(built.weights.map((w) => w.shape)).toEqual(m.weights.map((w) => w.shape));
      built.dispose();
    }
    m.dispose();
  });

  it('encodeWeights / decodeWeights round-trip float32 and int32 and report sizes', async () => {
    const a = tensor([1.5, -2, 3], [3]);
    const b = tensor([[7, 8]], [1, 2], 'int32');
    const { data, specs } = await io.encodeWeights({ a, b });
    expect(specs).toEqual([
      { name: 'a', shape: [3], dtype: 'float32' },
      { name: 'b', shape: [1, 2], dtype: 'int32' },
    ]);
    const back = io.decodeWeights(data, specs);
    expect(back.a.dataSync()).toEqual(a.dataSync());
    expect(back.b.dtype).toBe('int32');
    expect(back.b.dataSync()).toEqual(b.dataSync());
    const info = io.getModelArtifactsInfoForJSON({ modelTopology: { a: 1 }, weightSpecs: specs, weightData: data });
    expect(info.weightDataBytes).toBe(20);
    expect(info.modelTopologyBytes).toBe(7);
    [a, b, back.a, back.b].forEach((t) => t.dispose());
  });
});

describe('quantized weights', () => {
  it('float16 conversion is exact on representable values and rounds to nearest even', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 2 ** -24, -(2 ** -14)]) expect(fromHalf(toHalf(v))).toBe(v);
    expect(fromHalf(toHalf(1 + 2 ** -11))).toBe(1); // tie -> even
    expect(fromHalf(toHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
  });

  for (const dtype of ['uint8', 'uint16', 'float16'] as const) {
    it(`saves ${dtype} weights with the converter's quantization entries and loads them back`, async () => {
      const m = sequential({ layers: [layers.dense({ units: 8, inputShape: [16], name: 'q' })] });
      const art = await toArtifacts(m, { quantize: dtype });
      const spec = art.weightSpecs![0];
      expect(spec.dtype).toBe('float32');
      expect(spec.quantization!.dtype).toBe(dtype);
      if (dtype !== 'float16') {
        expect(spec.quantization!.scale).toBeGreaterThan(0);
        expect(typeof spec.quantization!.min).toBe('number');
      }
      expect((art.weightData as ArrayBuffer).byteLength).toBe((16 * 8 + 8) * (dtype === 'uint8' ? 1 : 2));
      const loaded = await loadLayersModel(io.fromMemory(art));
      const w = m.weights[0].dataSync();
      const lo = Math.min(0, ...w);
      const hi = Math.max(0, ...w);
      const step = dtype === 'uint8' ? (hi - lo) / 255 : dtype === 'uint16' ? (hi - lo) / 65535 : 0;
      const tol = dtype === 'float16' ? 1e-3 : step / 2 + 1e-7;
      expectClose(loaded.weights[0].dataSync(), w, 0, tol);
      // Zero (the bias) is exact.
      expect(Array.from(loaded.weights[1].dataSync())).toEqual(new Array(8).fill(0));
      [m, loaded].forEach((t) => t.dispose());
    });
  }
});

describe('file:// in Node', () => {
  const tempDir = useTempDir('ferrite-io-');

  it('writes model.json and weights.bin as tfjs-node does and loads them', async () => {
    const m = allLayersSequential();
    const x = randomTensor([2, 6, 6, 2], rng(8));
    m.predict(x);
    const target = join(tempDir(), 'cnn');
    const res = await m.save(`file://${target}`);
    expect(res.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as ModelJSON;
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.format).toBe('layers-model');
    const loaded = await loadLayersModel(`file://${join(target, 'model.json')}`);
    expectSamePredictions(m, loaded, x);
    [m, loaded, x].forEach((t) => t.dispose());
  });

  it('loads several groups of several shards (group1-shard1of3.bin, ...) as the converter writes them', async () => {
    const m = sequential({
      layers: [layers.dense({ units: 4, inputShape: [5], name: 'a' }), layers.dense({ units: 3, name: 'b' })],
    });
    const art = await toArtifacts(m);
    const bytes = new Uint8Array(art.weightData as ArrayBuffer);
    const specs = art.weightSpecs!;
    const target = join(tempDir(), 'sharded');
    await rm(target, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(target));
    // Group 1: layer a (96 bytes) in three shards of 40, 40, 16; group 2: layer b in one.
    const g1 = bytes.slice(0, 96);
    const cuts = [0, 40, 80, 96];
    for (let i = 0; i < 3; i++)
      await writeFile(join(target, `group1-shard${i + 1}of3.bin`), g1.slice(cuts[i], cuts[i + 1]));
    await writeFile(join(target, 'group2-shard1of1.bin'), bytes.slice(96));
    const json: ModelJSON = {
      modelTopology: art.modelTopology as object,
      format: 'layers-model',
      weightsManifest: [
        { paths: ['group1-shard1of3.bin', 'group1-shard2of3.bin', 'group1-shard3of3.bin'], weights: specs.slice(0, 2) },
        { paths: ['group2-shard1of1.bin'], weights: specs.slice(2) },
      ],
    };
    await writeFile(join(target, 'model.json'), JSON.stringify(json));
    const loaded = await loadLayersModel(`file://${target}/model.json`);
    const x = tensor([[1, 2, 3, 4, 5]]);
    expectSamePredictions(m, loaded, x);
    [m, loaded, x].forEach((t) => t.dispose());
  });
});

describe('http(s):// and io.http', () => {
  let server: Server;
  let base: string;
  const files = new Map<string, Buffer>();
  const seenHeaders: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seenHeaders.push(String(req.headers['x-token'] ?? ''));
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (req.method === 'POST') {
          // Parse the multipart form with the platform's own parser.
          const form = await new Response(Buffer.concat(chunks), {
            headers: { 'content-type': req.headers['content-type']! },
          }).formData();
          for (const [name, value] of form) files.set(name, Buffer.from(await (value as Blob).arrayBuffer()));
          res.end('ok');
          return;
        }
        const name = req.url!.split('?')[0].split('/').pop()!;
        const body = files.get(name);
        if (body === undefined) {
          res.statusCode = 404;
          res.end();
        } else res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('saves by POSTing model.json + model.weights.bin and loads from the URL with request options', async () => {
    const m = functionalModel();
    await m.save(io.http(`${base}/upload`, { requestInit: { headers: { 'x-token': 'save' } } }));
    expect([...files.keys()].sort()).toEqual(['model.json', 'model.weights.bin']);
    const json = JSON.parse(files.get('model.json')!.toString()) as ModelJSON;
    expect(json.weightsManifest[0].paths).toEqual(['./model.weights.bin']);
    const progress: number[] = [];
    const loaded = await loadLayersModel(`${base}/models/model.json?v=2`, {
      requestInit: { headers: { 'x-token': 'load' } },
      onProgress: (f) => progress.push(f),
    });
    expect(seenHeaders).toContain('save');
    expect(seenHeaders.filter((h) => h === 'load').length).toBe(2); // model.json and its shard
    expect(progress.at(-1)).toBe(1);
    const x = randomTensor([2, 5, 5, 1], rng(9));
    expectSamePredictions(m, loaded, x);
    // weightPathPrefix: shards from elsewhere.
    const other = await loadLayersModel(`${base}/a/model.json`, { weightPathPrefix: `${base}/b/` });
    expectSamePredictions(m, other, x);
    [m, loaded, other, x].forEach((t) => t.dispose());
  });

  it('a missing shard is a named HTTP error', async () => {
    files.set(
      'broken.json',
      Buffer.from(
        JSON.stringify({
          ...JSON.parse(files.get('model.json')!.toString()),
          weightsManifest: [{ paths: ['nope.bin'], weights: [] }],
        }),
      ),
    );
    await expect(loadLayersModel(`${base}/broken.json`)).rejects.toThrow(/nope\.bin: HTTP 404/);
  });
});

describe('URL routing', () => {
  it('names URLs no handler takes', async () => {
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [1] })] });
    await expect(m.save('ftp://x')).rejects.toThrow(/cannot find any save handler for URL 'ftp:\/\/x'/);
    await expect(loadLayersModel('nowhere')).rejects.toThrow(/cannot find any load handler/);
    await expect(m.save('localstorage://x')).rejects.toThrow(/needs window\.localStorage/);
    m.dispose();
  });
});
