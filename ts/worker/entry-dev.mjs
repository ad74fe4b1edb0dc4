// The training worker in the source tree (tests, `tsx` scripts): compiles entry.ts on the
// fly with tsx, a dev dependency. The built package starts dist/worker.mjs instead.
const { register } = await import('tsx/esm/api');
register();
await import('./entry.ts');
