// image.grid: pixel positions of a known input (images, gaps, scale, captions in the right
// and wrong colours), the PNG that encodePng / writePng produce decodes to the grid, bad
// input refused with errors naming the function.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';

beforeAll(() => fe.ready());

/** Image k of a batch [n, h, w, 1] whose pixel (i, j) is (k * 100 + i * 10 + j) / 1000. */
function known(n: number, h: number, w: number): fe.Tensor {
  const v = new Float32Array(n * h * w);
  for (let k = 0; k < n; k++)
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) v[(k * h + i) * w + j] = (k * 100 + i * 10 + j) / 1000;
  return fe.tensor(v, [n, h, w, 1]);
}

it('places each image at its cell, every pixel scaled, the gaps in the background', () => {
  const [n, h, w, gap, scale, columns] = [5, 3, 4, 2, 2, 3];
  const images = known(n, h, w);
  const g = fe.image.grid(images, { columns, gap, scale });
  const rows = 2;
  const [H, W] = [(rows * (h + gap) + gap) * scale, (columns * (w + gap) + gap) * scale];
  expect(g.shape).toEqual([H, W, 3]);
  expect(g.dtype).toBe('int32');
  const px = g.dataSync();
  const at = (y: number, x: number) => Array.from(px.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));
  let imagePixels = 0;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [gy, gx] = [Math.floor(y / scale), Math.floor(x / scale)];
      const [r, c] = [Math.floor((gy - gap) / (h + gap)), Math.floor((gx - gap) / (w + gap))];
      const [i, j] = [gy - gap - r * (h + gap), gx - gap - c * (w + gap)];
      const k = r * columns + c;
      const inside = gy >= gap && gx >= gap && i < h && j < w && k < n;
      if (inside) {
        imagePixels++;
        const l = Math.round(((k * 100 + i * 10 + j) / 1000) * 255);
        expect(at(y, x), `pixel (${y}, ${x}) = image ${k} (${i}, ${j})`).toEqual([l, l, l]);
      } else expect(at(y, x), `pixel (${y}, ${x}) is background`).toEqual([255, 255, 255]);
    }
  expect(imagePixels).toBe(n * h * w * scale * scale);
  fe.dispose([images, g]);
});

it('maps range and invert, and draws RGB images channel by channel', () => {
  const rgb = fe.tensor([-1, 0, 1, 1, -1, 0], [2, 1, 1, 3]);
  const g = fe.image.grid(rgb, { columns: 2, gap: 0, range: [-1, 1] });
  expect(Array.from(g.dataSync())).toEqual([0, 128, 255, 255, 0, 128]);
  const inv = fe.image.grid(rgb, { columns: 2, gap: 0, range: [-1, 1], invert: true });
  expect(Array.from(inv.dataSync())).toEqual([255, 127, 0, 0, 255, 127]);
  fe.dispose([rgb, g, inv]);
});

it('captions each image predicted/true under it, green when right and red when wrong', () => {
  const [n, h, w, gap] = [2, 4, 12, 1];
  const images = fe.zeros([n, h, w, 1]);
  const g = fe.image.grid(images, { columns: 2, gap, labels: { predicted: [3, 7], actual: [3, 1] } });
  const W = 2 * (w + gap) + gap;
  expect(g.shape).toEqual([h + 7 + 2 * gap, W, 3]);
  const px = g.dataSync();
  const colours = (x0: number, x1: number) => {
    const seen = new Set<string>();
    for (let y = gap + h; y < gap + h + 7; y++)
      for (let x = x0; x < x1; x++) seen.add(Array.from(px.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)).join(','));
    return seen;
  };
  expect(colours(gap, gap + w)).toEqual(new Set(['255,255,255', fe.image.GRID_RIGHT.join(',')]));
  expect(colours(2 * gap + w, 2 * gap + 2 * w)).toEqual(new Set(['255,255,255', fe.image.GRID_WRONG.join(',')]));
  // "3/3": the top row of the 3 glyph (three pixels) starts one row below the image.
  const y = gap + h + 1;
  for (const x of [gap, gap + 1, gap + 2]) expect(px[(y * W + x) * 3 + 1]).toBe(150);
  fe.dispose([images, g]);
});

it('encodePng and writePng give a PNG that decodes to the grid', async () => {
  const images = known(7, 5, 6);
  const g = fe.image.grid(images, { scale: 3, labels: { predicted: [1, 2, 3, 4, 5, 6, 7] } });
  const png = PNG.sync.read(Buffer.from(await fe.image.encodePng(g)));
  expect([png.height, png.width]).toEqual(g.shape.slice(0, 2));
  const px = g.dataSync();
  for (let p = 0; p < png.width * png.height; p++) {
    const want = [px[p * 3], px[p * 3 + 1], px[p * 3 + 2], 255];
    const got = Array.from(png.data.subarray(p * 4, p * 4 + 4));
    if (got.join() !== want.join()) expect(got, `pixel ${p}`).toEqual(want);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ferrite-grid-'));
  try {
    await fe.image.writePng(g, join(dir, 'g.png'));
    expect(readFileSync(join(dir, 'g.png')).equals(Buffer.from(await fe.image.encodePng(g)))).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  fe.dispose([images, g]);
});

it('refuses bad input with errors naming the function', async () => {
  const x = fe.zeros([2, 3, 3, 2]);
  expect(() => fe.image.grid(x)).toThrow(/image.grid: images must have 1, 3 or 4 channels, got 2/);
  expect(() => fe.image.grid(fe.zeros([3, 3]))).toThrow(
    /image.grid: images must have shape \[n, height, width, channels\]/,
  );
  const y = fe.zeros([2, 3, 3, 1]);
  expect(() => fe.image.grid(y, { labels: { predicted: [1] } })).toThrow(/labels.predicted has 1 entries for 2 images/);
  expect(() => fe.image.grid(y, { labels: { predicted: ['a', 'b'] } })).toThrow(
    /cannot draw "a" in the caption of image 0/,
  );
  expect(() => fe.image.grid(y, { columns: 0 })).toThrow(/image.grid: columns must be an integer >= 1/);
  await expect(fe.image.encodePng(y)).rejects.toThrow(/image.encodePng: img must be a \[height, width, 3\] tensor/);
  fe.dispose([x, y]);
});
