// `browser.fromPixels` and `browser.toPixels`, as TF.js: images, canvases, video frames and
// ImageBitmaps to int32 [height, width, channels] tensors of 0..255, and tensors back to
// RGBA bytes (drawn on a canvas if one is given). Anything that is not already RGBA bytes
// is drawn on a 2-D canvas (a page's or, in a worker, an OffscreenCanvas) and read back.

import { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/creation.js';

/**
 * Raw RGBA pixels, 4 bytes per pixel, row by row (TF.js's `PixelData`).
 *
 * @example
 * ```ts
 * const pixels = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 255]) }; // red, blue
 * fe.browser.fromPixels(pixels).print(); // int32 [[[255, 0, 0], [0, 0, 255]]]
 * ```
 */
export interface PixelData {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** RGBA bytes, row by row: width · height · 4. */
  data: Uint8Array | Uint8ClampedArray;
}

/**
 * What `browser.fromPixels` reads: raw pixel data, ImageData, an image, canvas, video or ImageBitmap.
 *
 * @example
 * ```ts browser
 * const video = document.querySelector('video')!;
 * const frame = fe.browser.fromPixels(video); // [height, width, 3] int32, the current frame
 * ```
 */
export type FromPixelsInput =
  PixelData | ImageData | HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | OffscreenCanvas;

const FROM = 'browser.fromPixels';
const TO = 'browser.toPixels';

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';
const isA = (x: unknown, name: string): boolean =>
  has(name) && x instanceof ((globalThis as Record<string, unknown>)[name] as new () => unknown);

function describe(x: unknown): string {
  if (x === null || typeof x !== 'object') return String(x === null ? 'null' : typeof x);
  return (x as object).constructor?.name ?? 'object';
}

/** The RGBA bytes and size of any accepted input. */
function rgba(pixels: FromPixelsInput): PixelData {
  const p = pixels as Partial<PixelData> & { videoWidth?: number };
  if (
    isA(pixels, 'ImageData') ||
    (p.data instanceof Uint8Array || p.data instanceof Uint8ClampedArray
      ? typeof p.width === 'number' && typeof p.height === 'number'
      : false)
  ) {
    const { width, height, data } = pixels as PixelData;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0)
      throw new Error(`${FROM}: width and height must be non-negative integers, got ${width}x${height}`);
    if (data.length !== width * height * 4)
      throw new Error(
        `${FROM}: {data, width, height} needs 4 bytes (RGBA) per pixel: ${width}x${height}x4 = ${width * height * 4}, got ${data.length}`,
      );
    return { width, height, data };
  }
  const drawable = ['HTMLImageElement', 'HTMLCanvasElement', 'HTMLVideoElement', 'ImageBitmap', 'OffscreenCanvas'].some(
    (name) => isA(pixels, name),
  );
  if (!drawable)
    throw new Error(
      `${FROM}: pixels must be ImageData, an HTMLImageElement, HTMLCanvasElement, HTMLVideoElement, ImageBitmap, ` +
        `OffscreenCanvas or {data: Uint8Array (RGBA), width, height}, but was ${describe(pixels)}`,
    );
  let width: number;
  let height: number;
  if (isA(pixels, 'HTMLVideoElement')) {
    const video = pixels as HTMLVideoElement;
    if (video.readyState < 2)
      throw new Error(
        `${FROM}: the video element has not loaded data yet; wait for its 'loadeddata' event before reading a frame`,
      );
    [width, height] = [video.videoWidth, video.videoHeight];
  } else {
    ({ width, height } = pixels as { width: number; height: number });
  }
  const ctx = scratchContext(width, height);
  ctx.drawImage(pixels as CanvasImageSource, 0, 0, width, height);
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
}

let scratch: HTMLCanvasElement | OffscreenCanvas | null = null;

/** A reusable 2-D canvas of the given size, in a page or a worker. */
function scratchContext(width: number, height: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  if (scratch === null) {
    if (typeof document !== 'undefined') scratch = document.createElement('canvas');
    else if (has('OffscreenCanvas')) scratch = new OffscreenCanvas(width, height);
    else throw new Error(`${FROM}: no canvas in this runtime to draw the image on; pass {data, width, height}`);
  }
  scratch.width = width;
  scratch.height = height;
  const ctx = scratch.getContext('2d', { willReadFrequently: true }) as
    CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (ctx === null) throw new Error(`${FROM}: cannot get a 2-D canvas context`);
  ctx.clearRect(0, 0, width, height);
  return ctx;
}

/**
 * An int32 tensor [height, width, numChannels] of the image's pixels (0..255): the first
 * `numChannels` of red, green, blue and alpha. As TF.js's `tf.browser.fromPixels`.
 *
 * @example
 * ```ts
 * const rgba = { width: 1, height: 1, data: new Uint8ClampedArray([10, 20, 30, 255]) }; // or a canvas, image, video ...
 * fe.browser.fromPixels(rgba, 4).print(); // int32 [[[10, 20, 30, 255]]]
 * const x = fe.browser.fromPixels(rgba).cast('float32').div(255).expandDims(0); // a batch of one, in [0, 1]
 * ```
 */
export function fromPixels(pixels: FromPixelsInput, numChannels = 3): Tensor {
  if (pixels === null || pixels === undefined) throw new Error(`${FROM}: pixels must not be ${pixels}`);
  if (!Number.isInteger(numChannels) || numChannels < 1 || numChannels > 4)
    throw new Error(`${FROM}: numChannels must be 1, 2, 3 or 4, got ${numChannels}`);
  const { width, height, data } = rgba(pixels);
  const n = width * height;
  const values = new Int32Array(n * numChannels);
  for (let i = 0; i < n; i++) for (let c = 0; c < numChannels; c++) values[i * numChannels + c] = data[i * 4 + c];
  return tensor(values, [height, width, numChannels], 'int32');
}

/**
 * The RGBA bytes of an image tensor [height, width] or [height, width, 1 | 3 | 4]:
 * float32 in [0, 1] or int32 in [0, 255]; one channel is gray, alpha defaults to 255.
 * Draws them on `canvas` (resized to the image) when given. As TF.js's
 * `tf.browser.toPixels`.
 *
 * @example
 * ```ts
 * const img = fe.tensor3d([[[1, 0, 0]]]); // one red pixel, float32 in [0, 1]
 * await fe.browser.toPixels(img); // Uint8ClampedArray [255, 0, 0, 255]; pass a canvas to draw it
 * ```
 */
export async function toPixels(img: Tensor, canvas?: HTMLCanvasElement | OffscreenCanvas): Promise<Uint8ClampedArray> {
  if (!(img instanceof Tensor)) throw new Error(`${TO}: img must be a Tensor, got ${describe(img)}`);
  if (img.rank !== 2 && img.rank !== 3)
    throw new Error(`${TO}: only rank 2 or 3 tensors are supported, got rank ${img.rank} (shape [${img.shape}])`);
  const [height, width] = img.shape;
  const depth = img.rank === 2 ? 1 : img.shape[2];
  if (depth !== 1 && depth !== 3 && depth !== 4)
    throw new Error(`${TO}: the depth (last dimension) must be 1, 3 or 4, got ${depth} (shape [${img.shape}])`);
  if (img.dtype !== 'float32' && img.dtype !== 'int32')
    throw new Error(`${TO}: unsupported dtype ${img.dtype}; use float32 or int32 tensors`);
  const values = await img.data();
  const [scale, top] = img.dtype === 'float32' ? [255, 1] : [1, 255];
  const bytes = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < height * width; i++) {
    const rgba = [0, 0, 0, 255];
    for (let d = 0; d < depth; d++) {
      const v = values[i * depth + d];
      if (!(v >= 0 && v <= top))
        throw new Error(
          `${TO}: values of a ${img.dtype} tensor must be in [0, ${top}], got ${v} (at element ${i * depth + d})`,
        );
      rgba[d] = Math.round(v * scale);
    }
    if (depth === 1) rgba[1] = rgba[2] = rgba[0];
    bytes.set(rgba, i * 4);
  }
  if (canvas !== undefined) {
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
    if (ctx === null) throw new Error(`${TO}: cannot get a 2-D context of the canvas`);
    ctx.putImageData(new ImageData(bytes, width, height), 0, 0);
  }
  return bytes;
}
