// Builds the npm package: dist/index.mjs (ESM), dist/index.cjs (CommonJS) and
// dist/index.d.ts, beside the .wasm files that scripts/build-wasm.mjs puts in dist/,
// and dist/worker.mjs, the background-training worker (`worker.create()`).
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// uplot (vis's charts in a page) is an optional peer dependency, imported on first use.
const external = (id) => id.startsWith('node:') || id === 'mnist' || id === 'uplot';

// Bundles comlink's ES modules (Apache-2.0, 13 kB unminified; its license header is kept)
// into the package and the worker: a module worker cannot use the page's import map, so
// dist/index.mjs must have no bare import for a page's own worker to load it, and a
// bundler or a CDN then has nothing to resolve but the package itself.
const bundleComlink = {
  name: 'bundle-comlink',
  resolveId(id) {
    if (id === 'comlink') return fileURLToPath(new URL('./node_modules/comlink/dist/esm/comlink.mjs', import.meta.url));
    if (id.startsWith('comlink/')) return fileURLToPath(new URL(`./node_modules/${id}`, import.meta.url));
    return null;
  },
};

// Node's globals as module-scope bindings. Parcel sees a free `process` or `Buffer` (even
// in `typeof process`) as a need for its browser polyfills, and installs them into the
// user's project; bound here, the code reads the real globals (undefined in browsers).
const NODE_GLOBALS = 'const process = globalThis.process;\nconst Buffer = globalThis.Buffer;';

export default [
  {
    input: 'ts/index.ts',
    external,
    output: [
      { file: 'dist/index.mjs', format: 'es', sourcemap: true, intro: NODE_GLOBALS },
      // Rollup rewrites import.meta.url for CommonJS, so the .wasm files are found
      // beside dist/index.cjs too.
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true, exports: 'named', intro: NODE_GLOBALS },
    ],
    plugins: [bundleComlink, typescript({ tsconfig: './tsconfig.build.json' })],
  },
  {
    input: 'ts/index.ts',
    external,
    output: { file: 'dist/index.d.ts', format: 'es' },
    // respectExternal: comlink's few types are inlined too, so the types need no comlink.
    plugins: [dts({ tsconfig: './tsconfig.build.json', respectExternal: true })],
  },
  {
    input: 'ts/worker/entry.ts',
    external: (id) => id.startsWith('node:'),
    output: { file: 'dist/worker.mjs', format: 'es', sourcemap: true, intro: NODE_GLOBALS },
    plugins: [bundleComlink, typescript({ tsconfig: './tsconfig.build.json' })],
  },
];
