// Where the .wasm builds are found and how their bytes are read, in Node and browsers.

export type BuildName = 'simd' | 'scalar' | 'simd-threads';

export const WASM_FILES: Record<BuildName, string> = {
  simd: 'ferrite-simd.wasm',
  scalar: 'ferrite-scalar.wasm',
  'simd-threads': 'ferrite-simd-threads.wasm',
};

let userWasmPath: string | URL | undefined;

/**
 * Sets the directory (URL or, in Node, file path) the .wasm files are loaded from.
 * Like TF.js's `setWasmPaths`. By default they are found beside the package's
 * JavaScript (`dist/`).
 */
export function setWasmPaths(prefix: string | URL): void {
  userWasmPath = prefix;
}

export const isNode = typeof process !== 'undefined' && !!process.versions?.node;

function candidates(file: string): URL[] {
  if (userWasmPath !== undefined) {
    const base = String(userWasmPath);
    if (isNode && !/^[a-z]+:/i.test(base)) {
      return [new URL(file, pathToDirUrl(base))];
    }
    return [new URL(file, base.endsWith('/') ? base : base + '/')];
  }
  // Built package: dist/index.mjs sits beside the .wasm files. Source tree (tests,
  // tsx): this file is ts/backend/wasm-files.ts and the builds are in dist/.
  return [new URL(`./${file}`, import.meta.url), new URL(`../../dist/${file}`, import.meta.url)];
}

function pathToDirUrl(p: string): URL {
  const abs = p.startsWith('/') ? p : `${process.cwd()}/${p}`;
  return new URL(`file://${abs.endsWith('/') ? abs : abs + '/'}`);
}

/** Reads a build's bytes synchronously (Node only). */
export function readWasmSync(build: BuildName): Uint8Array<ArrayBuffer> {
  const fs = nodeRequire('node:fs') as typeof import('node:fs');
  const tried: string[] = [];
  for (const url of candidates(WASM_FILES[build])) {
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
  for (const url of candidates(WASM_FILES[build])) {
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
