// CIFAR-10, "binary version": data_batch_1.bin ... data_batch_5.bin (50,000 training
// images) and test_batch.bin (10,000), each a run of 3,073-byte records:
//   1 label byte (0-9), then 3,072 pixel bytes: the 32x32 red plane, then green, then
//   blue, each row-major.
// The loader turns the planes into NHWC images [n, 32, 32, 3] (the layout of Keras's
// `cifar10.load_data()` and of conv2d), float32 scaled by 1/255 by default.
//
// The files come from the dataset's authors (the "CIFAR-10 binary version", a .tar.gz
// to extract); nothing is downloaded at run time.

import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { fetchBytes, fileExists, nodeBuiltin, joinPath, readLocalFile } from './source.js';

export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

export const CIFAR10_HEIGHT = 32;
export const CIFAR10_WIDTH = 32;
export const CIFAR10_CHANNELS = 3;
const PLANE = CIFAR10_HEIGHT * CIFAR10_WIDTH;
const PIXELS = PLANE * CIFAR10_CHANNELS;
/** Bytes per record: one label byte and 3,072 pixel bytes. */
export const CIFAR10_RECORD_BYTES = 1 + PIXELS;
const NUM_CLASSES = CIFAR10_CLASSES.length;

/** The training files, in order; a directory may hold fewer (see `load`). */
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';

const NAME = 'datasets.cifar10.load';

export const CIFAR10_HOW_TO_GET =
  'CIFAR-10 cannot be downloaded at run time here: get the "CIFAR-10 binary version" (cifar-10-binary.tar.gz, 162 MB) ' +
  "from its authors' page (Alex Krizhevsky's CIFAR page at the University of Toronto, www.cs.toronto.edu/~kriz/cifar.html), " +
  "extract it with 'tar xzf cifar-10-binary.tar.gz', and pass the directory cifar-10-batches-bin as {path}.";

/**
 * Options of `datasets.cifar10.load`.
 *
 * @example
 * ```ts no-run
 * await fe.datasets.cifar10.load({ url: '/data/cifar-10-batches-bin/', oneHot: true, testSize: 500 });
 * ```
 */
export interface Cifar10LoadOptions {
  /**
   * Directory of the .bin files (Node): cifar-10-batches-bin, or the directory that
   * contains it.
   */
  path?: string;
  /** Base URL the .bin files are fetched from (browsers). Takes precedence over `path`. */
  url?: string;
  /** Scale pixels to [0, 1] (pixels / 255); otherwise they stay 0..255 (as float32). Default true. */
  normalize?: boolean;
  /** Labels as one-hot float32 [n, 10] (for categoricalCrossentropy) instead of int32 [n]. Default false. */
  oneHot?: boolean;
  /** Keep only the first `trainSize` training images (default all). */
  trainSize?: number;
  /** Keep only the first `testSize` test images (default all). */
  testSize?: number;
}

/**
 * Images and labels of one CIFAR-10 split.
 *
 * @example
 * ```ts no-run
 * const { test } = await fe.datasets.cifar10.load({ path: './cifar-10-batches-bin' });
 * test.x.shape; // [10000, 32, 32, 3]
 * test.y.shape; // [10000]
 * ```
 */
export interface Cifar10Split {
  /** float32 [n, 32, 32, 3], NHWC. */
  x: Tensor;
  /** int32 [n] class indices, or float32 [n, 10] with `oneHot`. */
  y: Tensor;
}

/**
 * The CIFAR-10 training (50,000) and test (10,000) splits.
 *
 * @example
 * ```ts no-run
 * const { train, test } = await fe.datasets.cifar10.load({ path: './cifar-10-batches-bin' });
 * [train.x.shape[0], test.x.shape[0]]; // [50000, 10000]
 * ```
 */
export interface Cifar10TrainTest {
  /** The training images (data_batch_1..5). */
  train: Cifar10Split;
  /** The test images (test_batch). */
  test: Cifar10Split;
}

/** One file's bytes, checked: how many records it holds. */
interface CheckedFile {
  name: string;
  bytes: Uint8Array;
  records: number;
}

const thousands = (n: number): string => n.toLocaleString('en-US');

/**
 * Checks that `bytes` is CIFAR-10 binary data: whole 3,073-byte records, each label
 * byte a class 0-9. `name` names the file in errors. Returns the number of records.
 */
export function checkCifar10Bytes(bytes: Uint8Array, name: string, what = NAME): number {
  if (bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    const records = Math.floor(bytes.length / CIFAR10_RECORD_BYTES);
    const expected = (records + 1) * CIFAR10_RECORD_BYTES;
    throw new Error(
      `ferrite: ${what}: ${name} is truncated or not CIFAR-10 binary data: its size must be a multiple of ${thousands(CIFAR10_RECORD_BYTES)} bytes ` +
        `(1 label byte + 3,072 pixel bytes per image), expected ${thousands(expected)} bytes for ${thousands(records + 1)} images ` +
        `(or ${thousands(records * CIFAR10_RECORD_BYTES)} for ${thousands(records)}), got ${thousands(bytes.length)}`,
    );
  }
  const n = bytes.length / CIFAR10_RECORD_BYTES;
  for (let r = 0; r < n; r++) {
    const label = bytes[r * CIFAR10_RECORD_BYTES];
    if (label >= NUM_CLASSES) {
      throw new Error(
        `ferrite: ${what}: ${name}: record ${r} (byte offset ${thousands(r * CIFAR10_RECORD_BYTES)}) has label byte ${label}, ` +
          `but CIFAR-10 labels are 0-9 (is this the CIFAR-100 binary version, or not CIFAR data?)`,
      );
    }
  }
  return n;
}

/**
 * Decodes `count` records of CIFAR-10 binary data, starting at record `from`, into
 * NHWC pixels `x` (at image `at`) and labels `labels`: plane p's pixel i goes to
 * x[at + r, i / 32, i % 32, p], mapped through `lut` (byte -> float).
 */
function decodeRecords(
  bytes: Uint8Array,
  from: number,
  count: number,
  x: Float32Array,
  labels: Int32Array,
  at: number,
  lut: Float32Array,
): void {
  for (let r = 0; r < count; r++) {
    const src = (from + r) * CIFAR10_RECORD_BYTES;
    labels[at + r] = bytes[src];
    const red = src + 1;
    const green = red + PLANE;
    const blue = green + PLANE;
    let dst = (at + r) * PIXELS;
    for (let i = 0; i < PLANE; i++, dst += 3) {
      x[dst] = lut[bytes[red + i]];
      x[dst + 1] = lut[bytes[green + i]];
      x[dst + 2] = lut[bytes[blue + i]];
    }
  }
}

// pixel / 255 in float64 rounded once to float32, as NumPy's `x / 255.0` then a float32 cast.
const SCALE_255 = Float32Array.from({ length: 256 }, (_, i) => i / 255);
const IDENTITY_255 = Float32Array.from({ length: 256 }, (_, i) => i);

/** Builds one split from checked files: the first `n` records across them, in order. */
function makeSplit(files: CheckedFile[], n: number, lut: Float32Array, oneHot: boolean): Cifar10Split {
  const x = emptyTensor([n, CIFAR10_HEIGHT, CIFAR10_WIDTH, CIFAR10_CHANNELS], 'float32');
  let y: Tensor;
  try {
    y = emptyTensor(oneHot ? [n, NUM_CLASSES] : [n], oneHot ? 'float32' : 'int32', x.engine);
  } catch (e) {
    x.dispose();
    throw e;
  }
  // Views are taken after both allocations: an allocation may grow memory and detach them.
  const pixels = x.view() as Float32Array;
  const labels = oneHot ? new Int32Array(n) : (y.view() as Int32Array);
  let at = 0;
  for (const f of files) {
    if (at === n) break;
    const count = Math.min(f.records, n - at);
    decodeRecords(f.bytes, 0, count, pixels, labels, at, lut);
    at += count;
  }
  if (oneHot) {
    const hot = y.view() as Float32Array;
    hot.fill(0);
    for (let i = 0; i < n; i++) hot[i * NUM_CLASSES + labels[i]] = 1;
  }
  return { x, y };
}

function checkLimit(limit: number | undefined, available: number, what: string): number {
  if (limit === undefined) return available;
  if (!Number.isInteger(limit) || limit < 0 || limit > available) {
    throw new Error(
      `ferrite: ${NAME}: ${what} must be an integer in [0, ${available}] (the images in the files found), got ${limit}`,
    );
  }
  return limit;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Where the files are: `dir` itself, or its cifar-10-batches-bin subdirectory. */
function resolveLocalDir(dir: string): string {
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  if (!fs)
    throw new Error(
      `ferrite: ${NAME}: reading files from disk needs Node >= 20.16; in a browser pass {url} instead of {path}`,
    );
  if (!fs.existsSync(dir))
    throw new Error(`ferrite: ${NAME}: the directory ${dir} does not exist. ${CIFAR10_HOW_TO_GET}`);
  if (fs.statSync(dir).isFile()) {
    const hint = /\.tar\.gz$|\.tgz$/.test(dir)
      ? ` Extract it first ('tar xzf ${dir}') and pass the directory cifar-10-batches-bin.`
      : '';
    throw new Error(
      `ferrite: ${NAME}: {path} must be the directory holding data_batch_1.bin ... test_batch.bin, got the file ${dir}.${hint}`,
    );
  }
  const nested = joinPath(dir, 'cifar-10-batches-bin');
  if (!fileExists(joinPath(dir, CIFAR10_TRAIN_FILES[0])) && fileExists(joinPath(nested, CIFAR10_TRAIN_FILES[0])))
    return nested;
  return dir;
}

/**
 * Loads CIFAR-10 from its binary files: every data_batch_k.bin present for k = 1, 2, ...
 * up to the first missing one (CIFAR-10 has five: 50,000 images; a directory of other
 * 32x32x3 data in the same format may hold fewer, or files of any number of records),
 * and test_batch.bin. Every file is checked (whole records, labels 0-9) before any
 * tensor is made.
 */
export async function loadCifar10(opts: Cifar10LoadOptions = {}): Promise<Cifar10TrainTest> {
  const { normalize = true, oneHot = false } = opts;
  const isUrl = opts.url !== undefined;
  let dir = opts.url ?? opts.path;
  if (dir === undefined)
    throw new Error(
      `ferrite: ${NAME}: pass {path}, the directory of the CIFAR-10 binary files (or {url} in a browser). ${CIFAR10_HOW_TO_GET}`,
    );
  if (!isUrl && !isNode)
    throw new Error(`ferrite: ${NAME}: outside Node files are fetched: pass {url} (the base URL of the .bin files)`);
  if (!isUrl) dir = resolveLocalDir(dir);

  const read = async (name: string): Promise<Uint8Array | undefined> => {
    const location = joinPath(dir, name);
    if (isUrl) return fetchBytes(location, NAME);
    return fileExists(location) ? readLocalFile(location, NAME) : undefined;
  };
  const check = (name: string, bytes: Uint8Array): CheckedFile => ({
    name,
    bytes,
    records: checkCifar10Bytes(bytes, name),
  });

  const train: CheckedFile[] = [];
  let found = 0;
  for (const name of CIFAR10_TRAIN_FILES) {
    // A small trainSize needs only the first files: do not read 150 MB for it.
    if (opts.trainSize !== undefined && train.length > 0 && found >= opts.trainSize) break;
    const bytes = await read(name);
    if (bytes === undefined) break;
    train.push(check(name, bytes));
    found += train[train.length - 1].records;
  }
  if (train.length === 0)
    throw new Error(`ferrite: ${NAME}: cannot find ${CIFAR10_TRAIN_FILES[0]} in ${dir}. ${CIFAR10_HOW_TO_GET}`);
  const testBytes = await read(CIFAR10_TEST_FILE);
  if (testBytes === undefined)
    throw new Error(`ferrite: ${NAME}: cannot find ${CIFAR10_TEST_FILE} in ${dir}. ${CIFAR10_HOW_TO_GET}`);
  const test = [check(CIFAR10_TEST_FILE, testBytes)];

  const trainN = checkLimit(
    opts.trainSize,
    train.reduce((a, f) => a + f.records, 0),
    'trainSize',
  );
  const testN = checkLimit(opts.testSize, test[0].records, 'testSize');
  const lut = normalize ? SCALE_255 : IDENTITY_255;
  const trainSplit = makeSplit(train, trainN, lut, oneHot);
  try {
    return { train: trainSplit, test: makeSplit(test, testN, lut, oneHot) };
  } catch (e) {
    trainSplit.x.dispose();
    trainSplit.y.dispose();
    throw e;
  }
}

/**
 * Encodes NHWC images and labels as CIFAR-10 binary records (the inverse of the
 * loader): pixels are bytes 0-255 in [n, 32, 32, 3] order, labels 0-9. For writing test
 * fixtures and converting other 32x32 RGB data to this format.
 */
export function encodeCifar10(pixels: Uint8Array, labels: ArrayLike<number>): Uint8Array {
  const n = labels.length;
  if (pixels.length !== n * PIXELS) {
    throw new Error(
      `ferrite: encodeCifar10: ${n} labels need ${thousands(n * PIXELS)} pixel bytes ([n, 32, 32, 3]), got ${thousands(pixels.length)}`,
    );
  }
  const out = new Uint8Array(n * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    if (!Number.isInteger(label) || label < 0 || label >= NUM_CLASSES)
      throw new Error(`ferrite: encodeCifar10: label ${label} at index ${r} is not a class 0-9`);
    const dst = r * CIFAR10_RECORD_BYTES;
    out[dst] = label;
    for (let i = 0; i < PLANE; i++) {
      for (let p = 0; p < CIFAR10_CHANNELS; p++) out[dst + 1 + p * PLANE + i] = pixels[(r * PLANE + i) * 3 + p];
    }
  }
  return out;
}
