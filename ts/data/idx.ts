// The IDX file format of MNIST and Fashion-MNIST.
//
// Header: two zero bytes, an element-type byte (0x08 = unsigned byte), a rank byte,
// then one big-endian uint32 per dimension; the elements follow in row-major order.
// Images are 0x00000803 ([n, rows, cols] u8), labels 0x00000801 ([n] u8).

import { joinPath, fetchBytes, fileExists, maybeGunzip, readLocalFile } from './source.js';

/**
 * The contents of an IDX file of unsigned bytes.
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]); // an IDX vector of 3 bytes
 * const { shape, data } = fe.parseIdx(bytes);
 * shape; // [3]
 * data; // Uint8Array [7, 8, 9]
 * ```
 */
export interface IdxArray {
  /** The dimensions the file declares. */
  readonly shape: number[];
  /** The elements, row-major; a view into the bytes that were parsed (no copy). */
  readonly data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

function hex32(bytes: Uint8Array): string {
  return '0x' + Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Parses IDX bytes (already gunzipped): a Uint8Array, or an ArrayBuffer as `fetch` and
 * `FileReader` give it. `source` names the file in errors; `expectedRank`, when given, is
 * checked (3 for images, 1 for labels).
 *
 * @example
 * ```ts
 * const labels = fe.parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 2, 4, 2]), 'labels', 1);
 * fe.tensor(Int32Array.from(labels.data)).print(); // int32 [4, 2]
 * ```
 */
export function parseIdx(input: Uint8Array | ArrayBuffer, source = 'IDX data', expectedRank?: number): IdxArray {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) {
    const got = ArrayBuffer.isView(bytes) ? (bytes as object).constructor.name : typeof bytes;
    throw new Error(`ferrite: ${source}: parseIdx takes a Uint8Array or an ArrayBuffer, got ${got}`);
  }
  if (bytes.length < 4) {
    throw new Error(
      `ferrite: ${source}: not an IDX file: ${bytes.length} bytes is shorter than the 4-byte magic number`,
    );
  }
  const type = bytes[2];
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !(type in TYPE_NAMES) || rank === 0) {
    throw new Error(
      `ferrite: ${source}: not an IDX file: magic number is ${hex32(bytes)}, expected 0x000008NN ` +
        `(0x00000803 for images, 0x00000801 for labels)`,
    );
  }
  if (type !== 0x08) {
    throw new Error(
      `ferrite: ${source}: IDX element type 0x${type.toString(16).padStart(2, '0')} (${TYPE_NAMES[type]}) is not supported; only unsigned byte (0x08) is`,
    );
  }
  if (expectedRank !== undefined && rank !== expectedRank) {
    throw new Error(
      `ferrite: ${source}: expected an IDX file of rank ${expectedRank} (magic 0x0000080${expectedRank}), got rank ${rank} (magic ${hex32(bytes)})`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new Error(
      `ferrite: ${source}: truncated IDX header: expected ${headerBytes} bytes for ${rank} dimensions, got ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    size *= d;
  }
  const expected = headerBytes + size;
  if (bytes.length < expected) {
    throw new Error(
      `ferrite: ${source}: truncated IDX data: shape [${shape.join(', ')}] needs ${expected} bytes ` +
        `(${headerBytes}-byte header + ${size}), got ${bytes.length} (${expected - bytes.length} missing)`,
    );
  }
  if (bytes.length > expected) {
    throw new Error(
      `ferrite: ${source}: IDX file has ${bytes.length - expected} bytes of trailing data after shape [${shape.join(', ')}] (expected ${expected} bytes, got ${bytes.length})`,
    );
  }
  return { shape, data: bytes.subarray(headerBytes, expected) };
}

/**
 * Reads and parses an IDX file, gzipped or not: a local path in Node, or a URL
 * (anything with a scheme such as https: or file:) through fetch.
 *
 * @example
 * ```ts no-run
 * const images = await fe.readIdx('./train-images-idx3-ubyte.gz', 3);
 * images.shape; // [60000, 28, 28]
 * ```
 */
export async function readIdx(pathOrUrl: string, expectedRank?: number): Promise<IdxArray> {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl);
  let bytes: Uint8Array | undefined;
  if (isUrl) {
    bytes = await fetchBytes(pathOrUrl, 'readIdx');
    if (!bytes) throw new Error(`ferrite: readIdx: ${pathOrUrl} was not found (HTTP 404)`);
  } else {
    if (!fileExists(pathOrUrl)) throw new Error(`ferrite: readIdx: no such file: ${pathOrUrl}`);
    bytes = readLocalFile(pathOrUrl, 'readIdx');
  }
  return parseIdx(await maybeGunzip(bytes, pathOrUrl), pathOrUrl, expectedRank);
}

/** Where one IDX file of a data set was found, for error messages. */
export interface FoundFile {
  location: string;
  bytes: Uint8Array;
}

/**
 * Finds `<dir>/<name>.gz` or `<dir>/<name>` (in that order): on disk when `dir` is a
 * path, by fetch when `isUrl`. Returns undefined when neither exists.
 */
export async function findIdxFile(
  dir: string,
  name: string,
  isUrl: boolean,
  what: string,
): Promise<FoundFile | undefined> {
  for (const file of [`${name}.gz`, name]) {
    const location = joinPath(dir, file);
    if (isUrl) {
      const bytes = await fetchBytes(location, what);
      if (bytes) return { location, bytes };
    } else if (fileExists(location)) {
      return { location, bytes: readLocalFile(location, what) };
    }
  }
  return undefined;
}
