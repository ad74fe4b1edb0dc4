// Builds the npm package: dist/index.mjs (ESM), dist/index.cjs (CommonJS) and
// dist/index.d.ts, beside the .wasm files that scripts/build-wasm.mjs puts in dist/.
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const external = (id) => id.startsWith('node:') || id === 'comlink' || id === 'mnist';

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
    plugins: [
      typescript({ tsconfig: './tsconfig.build.json' }),
    ],
  },
  {
    input: 'ts/index.ts',
    external,
    output: { file: 'dist/index.d.ts', format: 'es' },
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
  },
];
