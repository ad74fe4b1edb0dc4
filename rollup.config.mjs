// Builds the npm package: dist/index.mjs (ESM), dist/index.cjs (CommonJS) and
// dist/index.d.ts, beside the .wasm files that scripts/build-wasm.mjs puts in dist/,
// and dist/worker.mjs, the background-training worker (`worker.create()`).
import { fileURLToPath } from 'node:url';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// uplot (vis's charts in a page) is an optional peer dependency, imported on first use.
const external = (id) =>
  id.startsWith('node:') || id === 'comlink' || id.startsWith('comlink/') || id === 'mnist' || id === 'uplot';

// Bundles comlink's ES modules into the worker: a page starts the worker by URL, and a
// worker's imports cannot use the page's import map, so it must need none.
const bundleComlink = {
  name: 'bundle-comlink',
  resolveId(id) {
    if (id === 'comlink') return fileURLToPath(new URL('./node_modules/comlink/dist/esm/comlink.mjs', import.meta.url));
    if (id.startsWith('comlink/')) return fileURLToPath(new URL(`./node_modules/${id}`, import.meta.url));
    return null;
  },
};

export default [
  {
    input: 'ts/index.ts',
    external,
    output: [
      { file: 'dist/index.mjs', format: 'es', sourcemap: true },
      // Rollup rewrites import.meta.url for CommonJS, so the .wasm files are found
      // beside dist/index.cjs too.
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.build.json' })],
  },
  {
    input: 'ts/index.ts',
    external,
    output: { file: 'dist/index.d.ts', format: 'es' },
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  },
  {
    input: 'ts/worker/entry.ts',
    external: (id) => id.startsWith('node:'),
    output: { file: 'dist/worker.mjs', format: 'es', sourcemap: true, inlineDynamicImports: true },
    plugins: [bundleComlink, typescript({ tsconfig: './tsconfig.build.json' })],
  },
];
