// A picture of a batch of images: `image.grid` lays [n, h, w, c] images out in rows, each
// optionally captioned under it ("predicted/true", green when they agree, red when not),
// as an int32 [height, width, 3] tensor of 0..255 (what `browser.fromPixels` returns and
// `browser.toPixels` draws on a canvas); `image.encodePng` / `image.writePng` save it in
// Node through the npm package pngjs, an optional peer dependency loaded only when called.
// Captions use a 3x5 pixel font drawn here, so no font or canvas is needed.

import { tensor } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../ops/util.js';
import { importAtRunTime } from '../util/runtime-import.js';

// Rows of each glyph, 3 bits wide, top to bottom.
const GLYPHS: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 7, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 2, 2, 2],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '/': [1, 1, 2, 4, 4],
  '-': [0, 0, 7, 0, 0],
  '.': [0, 0, 0, 0, 2],
  ' ': [0, 0, 0, 0, 0],
};
const GLYPH_W = 3;
const GLYPH_H = 5;
/** Caption rows under an image: a blank row, the glyphs, a blank row. */
const CAPTION_H = GLYPH_H + 2;

/**
 * The colour of a caption whose prediction is right.
 *
 * @example
 * ```ts
 * const g = fe.image.grid(fe.zeros([1, 8, 8]), { labels: { predicted: [3], actual: [3] } }); // caption '3/3' in GRID_RIGHT
 * fe.image.GRID_RIGHT; // [0, 150, 0]
 * ```
 */
export const GRID_RIGHT: readonly [number, number, number] = [0, 150, 0];
/**
 * The colour of a caption whose prediction is wrong.
 *
 * @example
 * ```ts
 * const g = fe.image.grid(fe.zeros([1, 8, 8]), { labels: { predicted: [3], actual: [5] } }); // caption '3/5' in GRID_WRONG
 * fe.image.GRID_WRONG; // [210, 0, 0]
 * ```
 */
export const GRID_WRONG: readonly [number, number, number] = [210, 0, 0];
const BLACK = [0, 0, 0];

/** Options of {@link grid}. */
export interface GridOptions {
  /** Images per row (default: the ceiling of the square root of n, a square grid). */
  columns?: number;
  /** Background pixels between and around images (default 2). */
  gap?: number;
  /** Every pixel drawn as scale x scale pixels (default 1). */
  scale?: number;
  /** The values drawn as black and white (default [0, 1] for float32, [0, 255] for int32). */
  range?: [number, number];
  /** Draw dark images on white: 255 - level (default false). */
  invert?: boolean;
  /** Background level 0..255 (default 255, white). */
  background?: number;
  /**
   * Captions under the images: `predicted[i]` alone, or `predicted[i]/actual[i]` in green
   * when equal and red when not. Digits, '/', '-', '.' and spaces can be drawn.
   */
  labels?: {
    /** The predicted label of each image. */
    predicted: ArrayLike<number | string>;
    /** The true label of each image (captions then read predicted/true, coloured by agreement). */
    actual?: ArrayLike<number | string>;
  };
}

const OP = 'image.grid';

function positiveInt(v: unknown, what: string, min = 1): number {
  if (!Number.isInteger(v) || (v as number) < min) {
    throw new Error(`ferrite: ${OP}: ${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  }
  return v as number;
}

/**
 * Lays out images `[n, height, width, channels]` (1, 3 or 4 channels; alpha is dropped) or
 * `[n, height, width]` in a grid, `columns` to a row, with optional captions under each
 * image, and returns the picture as an int32 `[gridHeight, gridWidth, 3]` tensor of 0..255.
 * Image i sits at row `floor(i / columns)`, column `i % columns`, its top-left pixel at
 * `(gap + row * (height + caption + gap), gap + column * (width + gap))` before scaling,
 * where caption is 7 rows when labels are given, else 0.
 *
 * Save it with {@link writePng} (Node) or draw it with `browser.toPixels(g, canvas)` (page).
 *
 * @example
 * ```ts
 * const images = fe.randomUniform([20, 28, 28, 1]); // e.g. test digits
 * const predicted = Array.from({ length: 20 }, (_, i) => i % 10);
 * const g = fe.image.grid(images, { columns: 10, invert: true, scale: 2, labels: { predicted, actual: predicted } });
 * g.shape; // [height, width, 3] int32 RGB
 * await fe.image.writePng(g, 'predictions.png'); // in a page: await fe.browser.toPixels(g, canvas)
 * ```
 */
export function grid(images: Tensor, options: GridOptions = {}): Tensor {
  if (!(images instanceof Tensor)) throw new Error(`ferrite: ${OP}: images must be a Tensor`);
  if (images.rank !== 3 && images.rank !== 4) {
    throw new Error(
      `ferrite: ${OP}: images must have shape [n, height, width, channels] or [n, height, width], got ${fmtShape(images.shape)}`,
    );
  }
  const [n, h, w] = images.shape;
  const c = images.rank === 4 ? images.shape[3] : 1;
  if (c !== 1 && c !== 3 && c !== 4) {
    throw new Error(`ferrite: ${OP}: images must have 1, 3 or 4 channels, got ${c} (shape ${fmtShape(images.shape)})`);
  }
  if (n === 0) throw new Error(`ferrite: ${OP}: no images (shape ${fmtShape(images.shape)})`);
  const columns = positiveInt(options.columns ?? Math.ceil(Math.sqrt(n)), 'columns');
  const gap = positiveInt(options.gap ?? 2, 'gap', 0);
  const scale = positiveInt(options.scale ?? 1, 'scale');
  const [lo, hi] = options.range ?? (images.dtype === 'int32' ? [0, 255] : [0, 1]);
  if (!(hi > lo)) throw new Error(`ferrite: ${OP}: range must be [low, high] with high > low, got [${lo}, ${hi}]`);
  const background = options.background ?? 255;
  const labels = options.labels;
  if (labels !== undefined) {
    for (const [name, list] of [
      ['predicted', labels.predicted],
      ['actual', labels.actual],
    ] as const) {
      if (list !== undefined && list.length !== n) {
        throw new Error(`ferrite: ${OP}: labels.${name} has ${list.length} entries for ${n} images`);
      }
    }
  }
  const captionH = labels === undefined ? 0 : CAPTION_H;
  const rows = Math.ceil(n / columns);
  const cellW = w + gap;
  const cellH = h + captionH + gap;
  const width = (columns * cellW + gap) * scale;
  const height = (rows * cellH + gap) * scale;
  const out = new Int32Array(width * height * 3).fill(background);
  // One unscaled pixel (x, y) of the grid.
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const o = ((y * scale + dy) * width + x * scale + dx) * 3;
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
      }
  };
  const level = (v: number) => {
    const l = Math.round((255 * (v - lo)) / (hi - lo));
    const clamped = Number.isNaN(l) ? 0 : Math.min(255, Math.max(0, l));
    return options.invert ? 255 - clamped : clamped;
  };
  const v = images.dataSync();
  for (let k = 0; k < n; k++) {
    const x0 = gap + (k % columns) * cellW;
    const y0 = gap + Math.floor(k / columns) * cellH;
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++) {
        const p = ((k * h + i) * w + j) * c;
        if (c === 1) {
          const l = level(v[p]);
          put(x0 + j, y0 + i, l, l, l);
        } else put(x0 + j, y0 + i, level(v[p]), level(v[p + 1]), level(v[p + 2]));
      }
    if (labels === undefined) continue;
    const predicted = String(labels.predicted[k]);
    const actual = labels.actual === undefined ? undefined : String(labels.actual[k]);
    const colour = actual === undefined ? BLACK : predicted === actual ? GRID_RIGHT : GRID_WRONG;
    let x = x0;
    for (const ch of actual === undefined ? predicted : `${predicted}/${actual}`) {
      const glyph = GLYPHS[ch];
      if (glyph === undefined) {
        throw new Error(
          `ferrite: ${OP}: cannot draw ${JSON.stringify(ch)} in the caption of image ${k} (digits, '/', '-', '.' and spaces only)`,
        );
      }
      // Characters past the cell's width are left out rather than drawn over the next image.
      if (x + GLYPH_W > x0 + w) break;
      glyph.forEach((bits, r) => {
        for (let col = 0; col < GLYPH_W; col++)
          if (bits & (4 >> col)) put(x + col, y0 + h + 1 + r, colour[0], colour[1], colour[2]);
      });
      x += GLYPH_W + 1;
    }
  }
  return tensor(out, [height, width, 3], 'int32');
}

interface PngModule {
  PNG: {
    new (o: { width: number; height: number; colorType?: number; inputColorType?: number; inputHasAlpha?: boolean }): {
      data: Uint8Array;
    };
    sync: { write(png: unknown, o?: Record<string, unknown>): Uint8Array };
  };
}

async function importPngjs(op: string): Promise<PngModule> {
  // A computed specifier keeps bundlers from resolving a package the user may not have.
  try {
    const mod = await importAtRunTime<PngModule & { default?: PngModule }>('pngjs');
    return mod.default?.PNG ? mod.default : mod;
  } catch (e) {
    throw new Error(
      `ferrite: ${op}: cannot load the npm package 'pngjs', which writes PNG files (${(e as Error).message}). ` +
        `Install it with 'npm install pngjs'; in a page, draw the image with browser.toPixels(img, canvas) instead.`,
    );
  }
}

/**
 * The PNG file (8-bit RGB) of an image tensor `[height, width, 3]`, int32 in 0..255 as
 * {@link grid} returns (or float32 in [0, 1]). Needs the npm package pngjs (an optional peer
 * dependency), loaded on the first call.
 *
 * @example
 * ```ts
 * const bytes = await fe.image.encodePng(fe.image.grid(fe.randomUniform([4, 8, 8])));
 * [...bytes.slice(1, 4)]; // [80, 78, 71]: 'PNG', the file's signature
 * ```
 */
export async function encodePng(img: Tensor): Promise<Uint8Array> {
  const op = 'image.encodePng';
  if (!(img instanceof Tensor) || img.rank !== 3 || img.shape[2] !== 3) {
    throw new Error(
      `ferrite: ${op}: img must be a [height, width, 3] tensor, got ${img instanceof Tensor ? fmtShape(img.shape) : typeof img}`,
    );
  }
  const { PNG } = await importPngjs(op);
  const [height, width] = img.shape;
  const values = img.dataSync();
  const scale = img.dtype === 'float32' ? 255 : 1;
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(values[i] * scale)));
  png.data = Buffer.from(data.buffer);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/**
 * Writes an image tensor (as {@link encodePng} takes) to a PNG file (Node only; needs
 * pngjs).
 *
 * @example
 * ```ts
 * const samples = fe.randomUniform([16, 28, 28], -1, 1); // e.g. a GAN's output in [-1, 1]
 * await fe.image.writePng(fe.image.grid(samples, { range: [-1, 1] }), 'samples.png');
 * ```
 */
export async function writePng(img: Tensor, path: string): Promise<void> {
  const bytes = await encodePng(img);
  const { writeFileSync } = await importAtRunTime<typeof import('node:fs')>('node:fs');
  writeFileSync(path, bytes);
}
