// Which of TF.js's public names Ferrite has: functions (tf.*), Tensor methods, layers,
// losses, metrics, optimizers, util, initializers, regularizers, and the other namespaces
// users call (image, browser, io, data, ...; not the backend internals). Reads the names from the
// installed @tensorflow/tfjs and from ts/index.ts, prints one line per group and the
// missing names (--missing), or JSON (--json).
//
//   npx tsx scripts/tfjs-coverage.mjs [--missing] [--json]

import * as tf from '@tensorflow/tfjs';
import * as fe from '../ts/index.ts';

const isPublic = (name) => !name.startsWith('_') && name !== 'constructor' && name !== 'default';

/** Function names of an object (or namespace), public ones only. */
function functionNames(obj) {
  return Object.keys(obj ?? {}).filter((k) => isPublic(k) && typeof obj[k] === 'function');
}

/** Method names on a prototype chain up to (not including) Object.prototype. */
function methodNames(proto) {
  const names = new Set();
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (isPublic(k) && typeof d.value === 'function') names.add(k);
    }
  }
  return [...names];
}

const ferriteMethods = new Set(methodNames(fe.Tensor.prototype));

const GROUPS = [
  // tf.* functions whose name starts in lower case: ops and helpers (classes excluded).
  ['functions (tf.*)', functionNames(tf).filter((k) => /^[a-z]/.test(k)), (k) => typeof fe[k] === 'function'],
  ['Tensor methods', methodNames(tf.Tensor.prototype), (k) => ferriteMethods.has(k)],
  ['layers (tf.layers.*)', functionNames(tf.layers), (k) => typeof fe.layers[k] === 'function'],
  ['losses (tf.losses.*)', functionNames(tf.losses), (k) => typeof fe.losses[k] === 'function'],
  ['metrics (tf.metrics.*)', functionNames(tf.metrics), (k) => typeof fe.metrics[k] === 'function'],
  ['optimizers (tf.train.*)', functionNames(tf.train), (k) => typeof fe.train[k] === 'function'],
  ['util (tf.util.*)', functionNames(tf.util), (k) => typeof fe.util?.[k] === 'function'],
  ['initializers', functionNames(tf.initializers), (k) => typeof fe.initializers[k] === 'function'],
  ['regularizers', functionNames(tf.regularizers), (k) => typeof fe.regularizers[k] === 'function'],
  // The user-facing namespaces, each against Ferrite's namespace of the same name.
  ...[
    'image',
    'browser',
    'io',
    'data',
    'constraints',
    'callbacks',
    'models',
    'serialization',
    'fused',
    'math',
    'linalg',
    'signal',
    'spectral',
    'sparse',
    'string',
  ].map((ns) => [`${ns} (tf.${ns}.*)`, functionNames(tf[ns]), (k) => typeof fe[ns]?.[k] === 'function']),
];

const report = GROUPS.map(([group, names, has]) => {
  const sorted = [...new Set(names)].sort();
  const missing = sorted.filter((k) => !has(k));
  return { group, total: sorted.length, covered: sorted.length - missing.length, missing };
});

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const width = Math.max(...report.map((r) => r.group.length));
  for (const r of report) {
    const pct = r.total === 0 ? 100 : Math.round((100 * r.covered) / r.total);
    console.log(`${r.group.padEnd(width)}  ${String(r.covered).padStart(4)} / ${String(r.total).padEnd(4)} ${pct}%`);
    if (process.argv.includes('--missing') && r.missing.length > 0) console.log(`  missing: ${r.missing.join(', ')}\n`);
  }
}
