// Reading the bytes of a data file: from disk in Node, over fetch elsewhere, and
// gunzipping them when they start with the gzip magic.
//
// No Node module is imported at the top level: this package also loads in browsers.
// Node's built-ins are reached through `process.getBuiltinModule` (Node >= 20.16),
// which works the same from the ESM and the CommonJS build.

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** A Node built-in module, or undefined outside Node (or on a Node without getBuiltinModule). */
export function nodeBuiltin<T>(id: string): T | undefined {
  if (!isNode) return undefined;
  const g = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  return g.process?.getBuiltinModule?.(id) as T | undefined;
}

type Fs = typeof import('node:fs');
type Zlib = typeof import('node:zlib');

/** True when `bytes` start with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data: Node's zlib when available (synchronous, fast), else the
 * web `DecompressionStream`. `what` names the data in errors.
 */
export async function gunzip(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  const zlib = nodeBuiltin<Zlib>('node:zlib');
  try {
    if (zlib) return zlib.gunzipSync(bytes);
    if (typeof DecompressionStream === 'undefined') {
      throw new Error('this runtime has neither node:zlib nor DecompressionStream');
    }
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(
      `ferrite: ${what}: cannot gunzip ${bytes.length} bytes, the file is corrupt or truncated (${(e as Error).message})`,
    );
  }
}

/** Returns the bytes, gunzipped if they are gzip data. */
export async function maybeGunzip(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, what) : bytes;
}

/** Whether a local file exists (Node only; false elsewhere). */
export function fileExists(path: string): boolean {
  const fs = nodeBuiltin<Fs>('node:fs');
  return !!fs && fs.existsSync(path) && fs.statSync(path).isFile();
}

/** Reads a local file (Node only). */
export function readLocalFile(path: string, what: string): Uint8Array {
  const fs = nodeBuiltin<Fs>('node:fs');
  if (!fs)
    throw new Error(
      `ferrite: ${what}: reading files from disk needs Node >= 20.16; in a browser pass {url} instead of {path}`,
    );
  const b = fs.readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Fetches a URL's bytes; resolves to undefined on HTTP 404 so callers can try another name. */
export async function fetchBytes(url: string, what: string): Promise<Uint8Array | undefined> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`ferrite: ${what}: cannot fetch ${url} (${(e as Error).message})`);
  }
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`ferrite: ${what}: fetching ${url} failed with HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Joins a directory (path or URL) and a file name with exactly one '/'. */
export function joinPath(dir: string, file: string): string {
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}
