// A grid of grayscale images, each captioned "predicted/true" (green when they agree, red
// when not), encoded as an RGB PNG with the npm package pngjs. The captions use a 3x5
// pixel font of the ten digits and the slash, drawn here, so no font or canvas is needed.

import { PNG } from 'pngjs';

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
};
const GLYPH_W = 3;
const GLYPH_H = 5;
const GREEN = [0, 150, 0];
const RED = [210, 0, 0];

export interface LabelledImage {
  /** Pixels in [0, 1], row-major, `side * side` of them. */
  pixels: ArrayLike<number>;
  predicted: number;
  actual: number;
}

/**
 * Lays the images out `columns` to a row, each with its caption below it, every pixel
 * drawn `scale` times larger, and returns the PNG file's bytes.
 */
export function labelledGridPng(images: LabelledImage[], side: number, columns = 10, scale = 2): Buffer {
  if (images.length === 0) throw new Error('labelledGridPng: no images');
  const pad = 2;
  const captionH = GLYPH_H + 2;
  const cellW = side + pad;
  const cellH = side + captionH + pad;
  const rows = Math.ceil(images.length / columns);
  const width = (columns * cellW + pad) * scale;
  const height = (rows * cellH + pad) * scale;
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.alloc(width * height * 3, 255);
  // One logical pixel (x, y) of the unscaled grid.
  const put = (x: number, y: number, rgb: number[]) => {
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const o = ((y * scale + dy) * width + x * scale + dx) * 3;
        png.data[o] = rgb[0];
        png.data[o + 1] = rgb[1];
        png.data[o + 2] = rgb[2];
      }
  };
  images.forEach((img, n) => {
    const x0 = pad + (n % columns) * cellW;
    const y0 = pad + Math.floor(n / columns) * cellH;
    for (let i = 0; i < side; i++)
      for (let j = 0; j < side; j++) {
        const level = 255 - Math.round(255 * Math.min(1, Math.max(0, img.pixels[i * side + j])));
        put(x0 + j, y0 + i, [level, level, level]);
      }
    const colour = img.predicted === img.actual ? GREEN : RED;
    let x = x0;
    for (const ch of `${img.predicted}/${img.actual}`) {
      GLYPHS[ch].forEach((bits, r) => {
        for (let c = 0; c < GLYPH_W; c++) if (bits & (4 >> c)) put(x + c, y0 + side + 1 + r, colour);
      });
      x += GLYPH_W + 1;
    }
  });
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}
