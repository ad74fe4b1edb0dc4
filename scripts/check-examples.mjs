#!/usr/bin/env node
// npm run docs:check: every public symbol of the API docs has an `@example`, and every
// example type-checks against the library (docs/examples.md has the convention).
//
//   (a) presence: TypeDoc converts ts/index.ts as `npm run docs` does; every declared public
//       function, class, variable, enum, interface, type alias and declared (not inherited,
//       not overriding) method of a class or interface needs an `@example`. A namespace needs none of its own
//       (its members do). An interface or type alias is also covered by an example of a call
//       that takes it: it appears in a parameter type of a function, method or constructor
//       that has an example (an options object is shown in the call, not on its own).
//   (b) types: each ```ts block becomes a module `import * as fe from '<root>/ts/index.js';
//       <code> export {};` in a temporary directory, and all of them are type-checked in one
//       strict TypeScript program with the project's compiler options (its lib includes the
//       DOM, which the ```ts browser blocks need).
//   (c) the running of the examples is test/api/doc-examples.test.ts.
//
// Exits 1 on any missing example, malformed example or type error.
//   --list            print every missing symbol, grouped by parent (default: counts per parent)
//   --root <dir>      check another checkout (default: this one)
//   --exclude <ns>    skip a namespace and what its folder ts/<ns>/ declares (repeatable or
//                     comma-separated)
//   --json <file>     read an existing `typedoc --json` output instead of running TypeDoc
//   --no-presence     skip (a);  --no-types  skip (b)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractExamples } from './doc-examples.mjs';

const here = join(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const opts = { root: here, list: false, exclude: [], json: undefined, presence: true, types: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') opts.list = true;
    else if (a === '--root') opts.root = resolve(argv[++i]);
    else if (a === '--exclude') opts.exclude.push(...argv[++i].split(',').filter(Boolean));
    else if (a === '--json') opts.json = resolve(argv[++i]);
    else if (a === '--no-presence') opts.presence = false;
    else if (a === '--no-types') opts.types = false;
    else {
      console.error(`check-examples: unknown argument '${a}'`);
      process.exit(2);
    }
  }
  return opts;
}

// TypeDoc's ReflectionKind values (stable across 0.2x).
const KIND = {
  Module: 2,
  Namespace: 4,
  Enum: 8,
  Variable: 32,
  Function: 64,
  Class: 128,
  Interface: 256,
  Constructor: 512,
  Method: 2048,
  TypeAlias: 2097152,
};
const KIND_NAME = Object.fromEntries(Object.entries(KIND).map(([k, v]) => [v, k]));

/** The project as TypeDoc's JSON, converted with the checkout's typedoc.json (no HTML, no validation). */
async function typedocJson(root) {
  const td = await import('typedoc');
  const app = await td.Application.bootstrapWithPlugins({
    options: join(root, 'typedoc.json'),
    tsconfig: join(root, 'tsconfig.json'),
    entryPoints: [join(root, 'ts/index.ts')],
    validation: { notExported: false, invalidLink: false, notDocumented: false },
    treatWarningsAsErrors: false,
    // Where each symbol is declared, for --list.
    disableSources: false,
    logLevel: 'Error',
  });
  const project = await app.convert();
  if (!project) throw new Error('check-examples: TypeDoc could not convert the project');
  return app.serializer.projectToObject(project, root);
}

/** `file:line` of a reflection's declaration, when TypeDoc recorded it. */
const at = (r) => {
  const s = r.sources?.[0] ?? signaturesOf(r)[0]?.sources?.[0];
  return s ? `${s.fileName.replace(/^(.*\/)?ts\//, 'ts/')}:${s.line}` : '';
};
const hasExample = (comment) => Boolean(comment?.blockTags?.some((t) => t.tag === '@example'));
const signaturesOf = (r) => [...(r.signatures ?? []), ...(r.getSignature ? [r.getSignature] : [])];
const exemplified = (r) => hasExample(r.comment) || signaturesOf(r).some((s) => hasExample(s.comment));

/** Every numeric reference target anywhere inside a type (unions, generics, object literals...). */
function referencedIds(node, into = new Set()) {
  if (node === null || typeof node !== 'object') return into;
  if (Array.isArray(node)) {
    for (const n of node) referencedIds(n, into);
    return into;
  }
  if (node.type === 'reference' && typeof node.target === 'number') into.add(node.target);
  for (const [key, value] of Object.entries(node)) if (key !== 'comment') referencedIds(value, into);
  return into;
}

/**
 * Walks the converted project: returns the symbols that need an example, each
 * `{id, kind, parent, name, ok}`, and the ids of types shown by an example of a call.
 */
function collectSymbols(json, exclude) {
  const symbols = [];
  const coveredByCall = new Set();
  const noteCall = (r) => {
    for (const s of signaturesOf(r)) for (const p of s.parameters ?? []) referencedIds(p.type, coveredByCall);
  };
  const visit = (r, parent) => {
    for (const c of r.children ?? []) {
      const path = parent ? `${parent}.${c.name}` : c.name;
      switch (c.kind) {
        case KIND.Module:
          visit(c, parent);
          break;
        case KIND.Namespace:
          if (!exclude.includes(path)) visit(c, path);
          break;
        case KIND.Function:
        case KIND.Variable:
        case KIND.Enum:
        case KIND.TypeAlias:
          symbols.push({
            id: c.id,
            kind: c.kind,
            parent: parent || '(top level)',
            name: c.name,
            ok: exemplified(c),
            at: at(c),
          });
          if (exemplified(c)) noteCall(c);
          break;
        case KIND.Interface:
        case KIND.Class: {
          const ok = exemplified(c);
          symbols.push({ id: c.id, kind: c.kind, parent: parent || '(top level)', name: c.name, ok, at: at(c) });
          for (const m of c.children ?? []) {
            if (m.kind === KIND.Constructor && ok) noteCall(m);
            // An interface's own methods count as a class's do (Trainer.fit, BaseCallback.onEpochEnd).
            if (m.kind !== KIND.Method || m.inheritedFrom || m.overwrites) continue;
            if (m.flags?.isPrivate || m.flags?.isProtected) continue;
            const mok = exemplified(m);
            symbols.push({ id: m.id, kind: m.kind, parent: path, name: m.name, ok: mok, at: at(m) });
            if (mok) noteCall(m);
          }
          break;
        }
        default:
          break;
      }
    }
  };
  visit(json, '');
  // An excluded namespace's folder too: what ts/<ns>/ declares and the top level re-exports.
  const excludedFile = (s) => exclude.some((ex) => s.at.startsWith(`ts/${ex}/`));
  symbols.splice(0, symbols.length, ...symbols.filter((s) => !excludedFile(s)));
  for (const s of symbols) {
    if (!s.ok && (s.kind === KIND.Interface || s.kind === KIND.TypeAlias) && coveredByCall.has(s.id)) s.ok = true;
  }
  return symbols;
}

function reportPresence(symbols, list) {
  const missing = symbols.filter((s) => !s.ok);
  console.log(`check-examples: ${symbols.length - missing.length} of ${symbols.length} public symbols have an example`);
  if (missing.length === 0) return true;
  const byParent = new Map();
  for (const s of missing) byParent.set(s.parent, [...(byParent.get(s.parent) ?? []), s]);
  const parents = [...byParent.entries()].sort((a, b) => b[1].length - a[1].length);
  console.log(`check-examples: ${missing.length} without an example:`);
  for (const [parent, items] of parents) {
    if (!list) {
      console.log(`  ${parent}: ${items.length}`);
      continue;
    }
    console.log(`  ${parent} (${items.length}):`);
    for (const s of items) console.log(`    ${KIND_NAME[s.kind].padEnd(10)} ${s.name.padEnd(28)} ${s.at}`);
  }
  if (!list) console.log('  (--list names them)');
  return false;
}

/** Type-checks every example in one program; returns the number of examples with errors. */
async function typeCheck(root, examples) {
  const ts = (await import('typescript')).default;
  // Inside the checkout, so that an example's own imports (a peer such as 'uplot') resolve.
  const dir = mkdtempSync(join(root, '.doc-examples-'));
  try {
    const index = join(root, 'ts/index.js');
    const header = `import * as fe from ${JSON.stringify(index)};\n`;
    const byFile = new Map();
    const files = examples.map((ex, i) => {
      const file = join(dir, `example-${String(i).padStart(4, '0')}.ts`);
      writeFileSync(file, `${header}${ex.code}\nexport {};\n`);
      byFile.set(file, ex);
      return file;
    });
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    const options = {
      ...config.options,
      rootDir: undefined,
      declaration: false,
      noEmit: true,
      strict: true,
      typeRoots: [join(root, 'node_modules/@types')],
    };
    const program = ts.createProgram(files, options);
    const failed = new Set();
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const ex = d.file && byFile.get(resolve(d.file.fileName));
      if (!ex) continue;
      failed.add(ex);
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      console.log(`  ${ex.file}:${ex.line + line - 1} (${ex.symbol}): TS${d.code} ${message}`);
    }
    return failed.size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let ok = true;
  if (opts.presence) {
    const json = opts.json ? JSON.parse(readFileSync(opts.json, 'utf8')) : await typedocJson(opts.root);
    ok = reportPresence(collectSymbols(json, opts.exclude), opts.list) && ok;
  }
  const { examples, problems } = extractExamples(opts.root, { exclude: opts.exclude });
  for (const p of problems) console.log(`  ${p.file}:${p.line} (${p.symbol}): ${p.message}`);
  if (problems.length > 0) {
    console.log(`check-examples: ${problems.length} malformed examples`);
    ok = false;
  }
  if (opts.types) {
    const failed = await typeCheck(opts.root, examples);
    console.log(`check-examples: ${examples.length - failed} of ${examples.length} examples type-check`);
    if (failed > 0) ok = false;
  }
  process.exit(ok ? 0 : 1);
}

await main();
