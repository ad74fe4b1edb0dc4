import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file gets a fresh module graph (and so fresh wasm instances); files run in
    // forked processes so a trapping kernel cannot take the runner down with it.
    pool: 'forks',
    maxWorkers: 2,
    // Node 20 (V8 11.3) runs relaxed SIMD only under this flag: with it, the kernel suites
    // (describeEachBuild) also run the relaxed builds. Later Node has it on by default.
    execArgv: Number(process.versions.node.split('.')[0]) <= 20 ? ['--experimental-wasm-relaxed-simd'] : [],
  },
});
