// Where the .wasm builds are found and how their bytes are read, in Node and browsers.

/**
 * The wasm builds: scalar, SIMD128, SIMD128 + threads, and the relaxed-SIMD variants of the
 * two SIMD builds (their multiply-adds are `f32x4.relaxed_madd`, fused on CPUs with FMA, so
 * their results differ from the plain builds' in the last bits).
 *
 * @example
 * ```ts
 * await fe.setBackend('simd-relaxed'); // false where the runtime lacks relaxed SIMD
 * ```
 */
export type BuildName = 'simd' | 'scalar' | 'simd-threads' | 'simd-relaxed' | 'simd-threads-relaxed';

export const WASM_FILES: Record<BuildName, string> = {
  simd: 'ferrite-simd.wasm',
  scalar: 'ferrite-scalar.wasm',
  'simd-threads': 'ferrite-simd-threads.wasm',
  'simd-relaxed': 'ferrite-simd-relaxed.wasm',
  'simd-threads-relaxed': 'ferrite-simd-threads-relaxed.wasm',
};

/** Whether a build runs kernels on a thread pool over shared memory. */
export const isThreadedBuild = (name: BuildName): boolean => name === 'simd-threads' || name === 'simd-threads-relaxed';

/** Whether a build uses relaxed SIMD (and so validates only where the runtime has it). */
export const isRelaxedBuild = (name: BuildName): boolean => name === 'simd-relaxed' || name === 'simd-threads-relaxed';

/**
 * A folder (URL or, in Node, path) or one URL per file name, as TF.js's `setWasmPaths`.
 *
 * @example
 * ```ts browser
 * fe.setWasmPaths('https://cdn.jsdelivr.net/npm/ferrite-nn/dist/');
 * fe.setWasmPaths({ 'ferrite-simd.wasm': '/assets/ferrite-simd.wasm' });
 * ```
 */
export type WasmPaths = string | URL | Partial<Record<string, string | URL>>;

let userWasmPath: WasmPaths | undefined;

/**
 * Sets where the .wasm files are loaded from: a folder (URL or, in Node, a file path), or
 * one URL per file name (`{'ferrite-simd.wasm': url, ...}`), as TF.js's `setWasmPaths`. By
 * default they are found beside the package's JavaScript (`dist/`), which bundlers that
 * follow `new URL('./file', import.meta.url)` (Vite, webpack 5, Parcel) emit and rewrite.
 *
 * @example
 * ```ts browser
 * fe.setWasmPaths('/static/ferrite/'); // serves ferrite-simd.wasm etc. from there
 * await fe.ready();
 * ```
 */
export function setWasmPaths(prefixOrFileMap: WasmPaths): void {
  userWasmPath = prefixOrFileMap;
}

export const isNode = typeof process !== 'undefined' && !!process.versions?.node;

// One literal `new URL('./file', import.meta.url)` per build: the form bundlers recognise,
// so each .wasm file is emitted (and its URL rewritten) without configuration. A template
// literal would make Vite emit every file of dist/ that matches it.
function besideThisModule(build: BuildName): URL {
  switch (build) {
    case 'simd':
      return new URL('./ferrite-simd.wasm', import.meta.url);
    case 'scalar':
      return new URL('./ferrite-scalar.wasm', import.meta.url);
    case 'simd-threads':
      return new URL('./ferrite-simd-threads.wasm', import.meta.url);
    case 'simd-relaxed':
      return new URL('./ferrite-simd-relaxed.wasm', import.meta.url);
    case 'simd-threads-relaxed':
      return new URL('./ferrite-simd-threads-relaxed.wasm', import.meta.url);
  }
}

// The source tree (tests, tsx, Node only): this file is ts/backend/wasm-files.ts and the
// builds are in dist/. Not a literal, so bundlers leave it alone.
const SOURCE_TREE_DIST = '../../dist/';

function candidates(build: BuildName): URL[] {
  const file = WASM_FILES[build];
  const user = userWasmPath;
  if (user !== undefined && (typeof user === 'string' || user instanceof URL)) {
    const base = String(user);
    if (isNode && !/^[a-z]+:/i.test(base)) {
      return [new URL(file, pathToDirUrl(base))];
    }
    return [new URL(file, base.endsWith('/') ? base : base + '/')];
  }
  const mapped = user?.[file];
  const here = mapped !== undefined ? [new URL(String(mapped), baseUrl())] : [besideThisModule(build)];
  return isNode ? [...here, new URL(/* webpackIgnore: true */ SOURCE_TREE_DIST + file, import.meta.url)] : here;
}

/** The page's (or, in Node, the working directory's) URL, against which relative URLs resolve. */
function baseUrl(): string {
  const href = (globalThis as { location?: { href: string } }).location?.href;
  if (href !== undefined) return href;
  return isNode ? pathToDirUrl(process.cwd()).href : import.meta.url;
}

/** The absolute URL each build loads from in this thread: sent to a training worker, whose script may sit elsewhere. */
export function wasmUrls(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const build of Object.keys(WASM_FILES) as BuildName[]) out[WASM_FILES[build]] = candidates(build)[0].href;
  return out;
}

function pathToDirUrl(p: string): URL {
  const abs = p.startsWith('/') ? p : `${process.cwd()}/${p}`;
  return new URL(`file://${abs.endsWith('/') ? abs : abs + '/'}`);
}

/** Reads a build's bytes synchronously (Node only). */
export function readWasmSync(build: BuildName): Uint8Array<ArrayBuffer> {
  const fs = nodeRequire('node:fs') as typeof import('node:fs');
  const tried: string[] = [];
  for (const url of candidates(build)) {
    if (url.protocol !== 'file:') continue;
    const path = decodeURIComponent(url.pathname);
    tried.push(path);
    if (fs.existsSync(path)) return new Uint8Array(fs.readFileSync(path));
  }
  throw new Error(
    `ferrite: cannot find ${WASM_FILES[build]} (looked in ${tried.join(', ')}). ` +
      `Build it with 'npm run build:wasm', or call setWasmPaths(dir).`,
  );
}

/** Fetches and compiles a build (browsers and Node). */
export async function compileWasm(build: BuildName): Promise<WebAssembly.Module> {
  if (isNode) return WebAssembly.compile(readWasmSync(build));
  const errors: string[] = [];
  for (const url of candidates(build)) {
    try {
      const res = await fetch(url);
      if (!res.ok) {
        errors.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      if (
        typeof WebAssembly.compileStreaming === 'function' &&
        res.headers.get('content-type')?.startsWith('application/wasm')
      ) {
        return await WebAssembly.compileStreaming(res);
      }
      return await WebAssembly.compile(await res.arrayBuffer());
    } catch (e) {
      errors.push(`${url}: ${(e as Error).message}`);
    }
  }
  throw new Error(
    `ferrite: cannot load ${WASM_FILES[build]} (${errors.join('; ')}). Call setWasmPaths(url) to say where it is served.`,
  );
}

// `require` that works from ESM and CJS bundles alike, in Node only.
function nodeRequire(id: string): unknown {
  const g = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
  const mod = g.process?.getBuiltinModule?.(id);
  if (mod) return mod;
  throw new Error(`ferrite: ${id} is not available in this runtime`);
}
