// data.csv streams its file: rows are parsed as chunks are read, a line or a quoted field
// cut by a chunk boundary is joined, and a file of a few MB reads row by row with every
// element matching the row written.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';
import { CHUNK_BYTES, textLines } from '../../ts/data/text-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'fe-csv-'));
beforeAll(() => fe.ready());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const collect = async (g: AsyncGenerator<string>): Promise<string[]> => {
  const out: string[] = [];
  for await (const l of g) out.push(l);
  return out;
};

describe('data.csv streaming', () => {
  it('textLines joins lines and UTF-8 characters cut by chunk boundaries', async () => {
    const path = join(dir, 'lines.txt');
    const text = 'a,1\r\nbé€,"x, y"\n\nlast é without newline';
    writeFileSync(path, text);
    const want = ['a,1', 'bé€,"x, y"', '', 'last é without newline'];
    for (const chunk of [1, 2, 3, 5, 7, 64])
      expect(await collect(textLines(`file://${path}`, 't', chunk))).toEqual(want);
  });

  it('a quoted field across a chunk boundary reads whole', async () => {
    const path = join(dir, 'boundary.csv');
    const head = 'n,s\n';
    // Row 1 pads so that row 2's quoted field straddles the first chunk's end.
    const pad = 'p'.repeat(CHUNK_BYTES - head.length - 10);
    const quoted = 'one, "two", three';
    writeFileSync(path, `${head}1,${pad}\n2,"${quoted.replace(/"/g, '""')}"\n3,end\n`);
    const rows = (await fe.data.csv(`file://${path}`).toArray()) as { n: number; s: string }[];
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3]);
    expect(rows[0].s.length).toBe(pad.length);
    expect(rows[1].s).toBe(quoted);
    expect(rows[2].s).toBe('end');
  });

  it('a file of a few MB streams row by row, every element as written', async () => {
    const path = join(dir, 'big.csv');
    const n = 60000;
    const lines = ['id,x,name,label'];
    for (let i = 0; i < n; i++) lines.push(`${i},${(i * 0.25).toFixed(2)},"row ${i}, item",${i % 3}`);
    writeFileSync(path, lines.join('\n') + '\n');
    const ds = fe.data.csv(`file://${path}`, { columnConfigs: { label: { isLabel: true, dtype: 'int32' } } });
    const before = fe.memory().numTensors;
    const it = await ds.iterator();
    let i = 0;
    for (let s = await it.next(); !s.done; s = await it.next(), i++) {
      const { xs, ys } = s.value as { xs: Record<string, unknown>; ys: Record<string, unknown> };
      if (xs.id !== i || xs.x !== i * 0.25 || xs.name !== `row ${i}, item` || ys.label !== i % 3)
        throw new Error(`row ${i}: ${JSON.stringify(s.value)}`);
    }
    expect(i).toBe(n);
    // Batched into tensors, the stream trains as usual and leaves nothing behind.
    let rows = 0;
    await ds
      .map((e) => {
        const { xs, ys } = e as { xs: Record<string, number>; ys: Record<string, number> };
        return { xs: [xs.id, xs.x], ys: ys.label };
      })
      .batch(4096)
      .forEachAsync((b) => void (rows += (b as { xs: fe.Tensor }).xs.shape[0]));
    expect(rows).toBe(n);
    expect(fe.memory().numTensors).toBe(before);
    expect(await ds.columnNames()).toEqual(['id', 'x', 'name', 'label']);
  });

  it('errors: a missing file, an empty one', async () => {
    await expect(fe.data.csv(`file://${join(dir, 'nope.csv')}`).toArray()).rejects.toThrow(/data\.csv .*cannot open/);
    writeFileSync(join(dir, 'empty.csv'), '\n\n');
    await expect(fe.data.csv(`file://${join(dir, 'empty.csv')}`).toArray()).rejects.toThrow(/holds no data/);
  });
});
