#!/usr/bin/env node
// Generates ts/backend/core-abi.ts, the TypeScript view of the wasm core's ABI, from the
// Rust source: export names, parameter lists and op codes are written down once, in
// core-rs/src.
//
// It walks the crate's modules from core-rs/src/lib.rs and reads:
//   - exports: a `#[no_mangle]` (or `#[unsafe(no_mangle)]`) `pub [unsafe] extern "C" fn
//     fe_*(...) [-> T]`, its signature on one line or several. Each becomes a typed method
//     of `CoreAbi` with the Rust parameter names; every wasm value is a JS number, and
//     the Rust type stays beside it as a comment (`x: number /* *const f32 */`: pointers
//     are byte offsets into the engine's memory). The export's `///` doc comment comes
//     along. An export behind #[cfg(...)] (its own, or its module's) is listed with the
//     builds that have it, found by evaluating the cfg against the target features each
//     build enables (VARIANTS in scripts/build-wasm.mjs).
//   - op codes: a run of `pub const NAME: u32 = <integer>;` whose doc comment ends with
//     the line `/// ABI enum: TypeName`. The run ends at the first line that is neither
//     such a constant nor its doc comment (a blank line, say). It becomes a const object
//     `TypeName` with the Rust names as keys, and a type `TypeName` for its values:
//
//         /// The activation fused into the forward (`act` arguments).
//         /// ABI enum: ConvActivation
//         pub const ACT_LINEAR: u32 = 0;
//         pub const ACT_RELU: u32 = 1;
//
//     gives `ConvActivation.ACT_RELU === 1` in TypeScript.
//
// Usage:
//   node scripts/gen-abi.mjs           writes the file (scripts/build-wasm.mjs runs this first)
//   node scripts/gen-abi.mjs --check   exits 1 when the committed file is not what the Rust gives
//                                      (npm run lint runs this as the check 'abi')
// The output is laid out as prettier (width 120) would lay it out, so lint accepts it as is,
// except for `CoreAbi`, which keeps each method on one line.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VARIANTS } from './build-wasm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CRATE_ROOT = 'core-rs/src/lib.rs';
export const OUT = 'ts/backend/core-abi.ts';
const WIDTH = 120;

class AbiError extends Error {}

function fail(file, line, msg) {
  throw new AbiError(`gen-abi: ${file}:${line}: ${msg}`);
}

const EXPORT_ATTR = /^#\[(?:unsafe\()?no_mangle\)?\]$/;
// Matched against code whose string contents are blanked: the ABI string is checked apart.
const EXPORT_FN = /^pub\s+(?:unsafe\s+)?extern\s+" *"\s+fn\s+(\w+)\s*\(([^)]*)\)\s*(?:->\s*([^{]+?))?\s*\{/;
const MOD = /^(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*([;{])/;
const ENUM_MARK = /^\/\/\/\s*ABI enum:\s*(\w+)\s*$/;
const CONST_U32 = /^pub\s+const\s+(\w+)\s*:\s*u32\s*=\s*(\d+)\s*;/;
const RUST_TYPE = /^(?:\*(?:const|mut)\s+)*(?:u8|u32|i32|usize|isize|f32)$/;
// Words JavaScript reserves that Rust allows as parameter names.
const RESERVED = new Set(
  (
    'case catch class debugger default delete do export extends finally function import instanceof ' +
    'new null switch this throw try typeof var void with'
  ).split(' '),
);

const BUILDS = Object.keys(VARIANTS);

/**
 * The builds in which `#[cfg(expr)]` holds: all(), any(), not(), target_arch = "wasm32"
 * (every build), target_feature = "..." (the features the build enables), and test and
 * debug_assertions (never: the builds are release builds of the library).
 */
function cfgBuilds(expr, where) {
  let at = 0;
  const skip = () => {
    while (/\s/.test(expr[at] ?? '')) at++;
  };
  const pred = () => {
    skip();
    const name = expr.slice(at).match(/^\w+/)?.[0];
    if (!name) fail(...where, `cannot read #[cfg(${expr})]`);
    at += name.length;
    skip();
    if (expr[at] === '(') {
      at++;
      const parts = [];
      for (skip(); expr[at] !== ')'; skip()) {
        parts.push(pred());
        skip();
        if (expr[at] === ',') at++;
      }
      at++;
      const has = (b) => parts.map((p) => p.has(b));
      if (name === 'all') return new Set(BUILDS.filter((b) => has(b).every(Boolean)));
      if (name === 'any') return new Set(BUILDS.filter((b) => has(b).some(Boolean)));
      if (name === 'not' && parts.length === 1) return new Set(BUILDS.filter((b) => !parts[0].has(b)));
      fail(...where, `cannot evaluate ${name}(...) in #[cfg(${expr})]`);
    }
    if (expr[at] === '=') {
      at++;
      skip();
      const value = expr.slice(at).match(/^"([^"]*)"/)?.[1];
      if (value === undefined) fail(...where, `cannot read #[cfg(${expr})]`);
      at += value.length + 2;
      if (name === 'target_arch') return new Set(value === 'wasm32' ? BUILDS : []);
      if (name === 'target_feature') return new Set(BUILDS.filter((b) => VARIANTS[b].features.includes(`+${value}`)));
      fail(...where, `cannot evaluate ${name} = "${value}" in #[cfg(${expr})]`);
    }
    if (name === 'test' || name === 'debug_assertions') return new Set();
    fail(...where, `cannot evaluate ${name} in #[cfg(${expr})]`);
  };
  const builds = pred();
  skip();
  if (at !== expr.length) fail(...where, `cannot read #[cfg(${expr})]`);
  return builds;
}

/** The condition of a `#[cfg(...)]` or `#![cfg(...)]` line. */
function cfgOf(attr, where) {
  const m = attr.match(/^#!?\[cfg\((.*)\)\]$/);
  if (!m) fail(...where, `expected #[cfg(...)] alone on its line, got ${attr}`);
  return m[1];
}

const intersect = (a, b) => new Set([...a].filter((x) => b.has(x)));

/**
 * The source with comments, char literals and the contents of string literals turned to
 * spaces, line for line, so that braces and attributes can be found by plain matching.
 */
function codeOnly(src) {
  let out = '';
  let i = 0;
  const blank = (s) => s.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const rest = src.slice(i, i + 2);
    let end;
    if (rest === '//') {
      end = src.indexOf('\n', i);
      if (end < 0) end = src.length;
    } else if (rest === '/*') {
      let depth = 0;
      for (end = i; end < src.length; end++) {
        if (src.startsWith('/*', end)) (depth++, end++);
        else if (src.startsWith('*/', end) && --depth === 0) {
          end += 2;
          break;
        }
      }
    } else if (src[i] === '"') {
      for (end = i + 1; end < src.length && src[end] !== '"'; end++) if (src[end] === '\\') end++;
      out += `"${blank(src.slice(i + 1, end))}"`;
      i = end + 1;
      continue;
    } else if (src[i] === "'" && (src[i + 1] === '\\' || src[i + 2] === "'")) {
      end = src.indexOf("'", i + 2) + 1;
    } else {
      out += src[i++];
      continue;
    }
    out += blank(src.slice(i, end));
    i = end;
  }
  return out.split('\n');
}

/** The text of `///` lines, without the markers. */
const docText = (lines) => lines.map((l) => l.replace(/^\/\/\/ ?/, ''));

/** The file `mod name;` in `file` (inside inline modules `inline`) refers to. */
function moduleFile(file, inline, name) {
  const base = /(^|\/)(lib|mod)\.rs$/.test(file) ? dirname(file) : file.replace(/\.rs$/, '');
  const dir = join(base, ...inline);
  const found = [join(dir, `${name}.rs`), join(dir, name, 'mod.rs')].filter((f) => existsSync(join(root, f)));
  return found[0];
}

/** Reads the exports and op-code enums of `file` and the modules it declares; `builds`: where it is compiled. */
function parseFile(file, builds, abi) {
  const text = readFileSync(join(root, file), 'utf8');
  const lines = text.split('\n');
  const code = codeOnly(text);
  let depth = 0;
  // Inline `mod name { ... }` blocks we are inside: their names, cfgs and opening depth.
  const scopes = [];
  const here = () => (scopes.length ? scopes[scopes.length - 1].builds : builds);
  let docs = [];
  let attrs = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const c = code[i].trim();
    // The line without its trailing comment, string contents intact (attributes hold strings).
    const source = lines[i].slice(0, code[i].trimEnd().length).trim();
    const mark = line.match(ENUM_MARK);
    if (mark) {
      i = parseEnum(file, lines, i, mark[1], docText(docs), abi) - 1;
      docs = [];
      attrs = [];
      continue;
    }
    if (c === '') {
      if (line.startsWith('///')) docs.push(line);
      else if (line === '') docs = [];
      continue;
    }
    if (c.startsWith('#![cfg(')) {
      builds = intersect(builds, cfgBuilds(cfgOf(source, [file, i + 1]), [file, i + 1]));
      continue;
    }
    if (c.startsWith('#[')) {
      attrs.push({ text: source, at: i + 1 });
      if (c.startsWith('#[path')) fail(file, i + 1, 'gen-abi does not follow #[path] attributes');
      continue;
    }
    const cfg = attrs
      .filter((a) => a.text.startsWith('#[cfg('))
      .reduce((acc, a) => intersect(acc, cfgBuilds(cfgOf(a.text, [file, a.at]), [file, a.at])), here());
    const mod = c.match(MOD);
    let j = i;
    if (mod && mod[2] === ';') {
      const sub = moduleFile(
        file,
        scopes.map((s) => s.name),
        mod[1],
      );
      if (!sub) fail(file, i + 1, `cannot find the file of module ${mod[1]}`);
      parseFile(sub, cfg, abi);
    } else if (mod) {
      scopes.push({ name: mod[1], builds: cfg, depth });
    } else if (attrs.some((a) => EXPORT_ATTR.test(a.text))) {
      // The signature runs to the opening brace of the body.
      let sig = c;
      while (!sig.includes('{') && j + 1 < lines.length) sig += ' ' + code[++j].trim();
      const m = sig.match(EXPORT_FN);
      if (!m || !m[1].startsWith('fe_') || !/extern\s+"C"/.test(source)) {
        fail(file, i + 1, 'an export must be `pub [unsafe] extern "C" fn fe_<name>(...)` with a body');
      }
      const params = parseParams(file, i + 1, m[2]);
      abi.exports.push({ file, name: m[1], doc: docText(docs), params, ret: m[3], builds: cfg });
    }
    for (; i <= j; i++) {
      for (const ch of code[i]) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
      while (scopes.length && depth <= scopes[scopes.length - 1].depth) scopes.pop();
    }
    i = j;
    docs = [];
    attrs = [];
  }
}

function parseParams(file, line, text) {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const m = p.match(/^(\w+)\s*:\s*(.+)$/);
      if (!m || !RUST_TYPE.test(m[2])) fail(file, line, `cannot map parameter '${p}' to a wasm number`);
      const name = RESERVED.has(m[1]) ? `${m[1]}_` : m[1];
      return { name, type: m[2].replace(/\s+/g, ' ') };
    });
}

/** Reads the run of constants after the marker at line index `at`; returns the index of the line after it. */
function parseEnum(file, lines, at, name, doc, abi) {
  const members = [];
  let memberDoc = [];
  let i = at + 1;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.startsWith('///')) {
      memberDoc.push(line);
      continue;
    }
    const m = line.match(CONST_U32);
    if (!m) break;
    if (members.some((c) => c.name === m[1])) fail(file, i + 1, `${m[1]} appears twice in ABI enum ${name}`);
    if (members.some((c) => c.value === Number(m[2]))) fail(file, i + 1, `two members of ABI enum ${name} are ${m[2]}`);
    members.push({ name: m[1], value: Number(m[2]), doc: docText(memberDoc) });
    memberDoc = [];
  }
  if (members.length === 0)
    fail(file, at + 1, `ABI enum ${name} must be followed by 'pub const NAME: u32 = <integer>;' lines`);
  if (abi.enums.some((e) => e.name === name)) fail(file, at + 1, `ABI enum ${name} is declared twice`);
  abi.enums.push({ file, name, doc, members });
  return i;
}

/** The exports and op-code enums of the crate. */
export function readAbi() {
  const abi = { exports: [], enums: [] };
  parseFile(CRATE_ROOT, new Set(BUILDS), abi);
  // One name may be defined once per build (say under cfg(x) and cfg(not(x))), with one signature.
  const byName = new Map();
  for (const e of abi.exports.filter((e) => e.builds.size > 0)) {
    const first = byName.get(e.name);
    if (!first) byName.set(e.name, e);
    else if (intersect(first.builds, e.builds).size > 0 || method(first) !== method(e))
      throw new AbiError(`gen-abi: ${e.file}: ${e.name} is exported twice (also in ${first.file})`);
    else first.builds = new Set(BUILDS.filter((b) => first.builds.has(b) || e.builds.has(b)));
  }
  abi.exports = [...byName.values()];
  if (abi.exports.length === 0) throw new AbiError(`gen-abi: no exports found from ${CRATE_ROOT}`);
  return abi;
}

/** A `/** ... *\/` block at `indent`, or nothing for no text. */
function docBlock(lines, indent) {
  const text = lines.map((l) => l.replace(/\*\//g, '*\\/').trimEnd());
  while (text.length && text[text.length - 1] === '') text.pop();
  if (text.length === 0) return [];
  if (text.length === 1 && indent.length + text[0].length + 7 <= WIDTH) return [`${indent}/** ${text[0]} */`];
  return [`${indent}/**`, ...text.map((l) => (l ? `${indent} * ${l}` : `${indent} *`)), `${indent} */`];
}

/** One method of `CoreAbi`, on one line however long (the interface is exempt from prettier). */
function method(e) {
  const params = e.params.map((p) => `${p.name}: number /* ${p.type} */`);
  return `  ${e.name}(${params.join(', ')}): ${e.ret ? `number /* ${e.ret} */` : 'void'};`;
}

const inSomeBuilds = (e) => e.builds.size < BUILDS.length;
const buildList = (e) => `[${[...e.builds].map((b) => `'${b}'`).join(', ')}]`;
const buildProse = (e) => `Only in the ${[...e.builds].join(' and ')} build${e.builds.size > 1 ? 's' : ''}.`;

/** The generated module's text. */
export function renderAbi(abi) {
  const out = [
    `// GENERATED by scripts/gen-abi.mjs from the exports and 'ABI enum' constants of core-rs/src.`,
    '// Do not edit: change the Rust, then run `node scripts/gen-abi.mjs` (the wasm build runs it, and',
    '// `npm run lint` fails while this file is out of date).',
    '',
    "import type { BuildName } from './wasm-files.js';",
    '',
  ];
  for (const en of abi.enums) {
    out.push(...docBlock([...en.doc, `(${en.file})`], ''));
    out.push(`export const ${en.name} = {`);
    for (const m of en.members) out.push(...docBlock(m.doc, '  '), `  ${m.name}: ${m.value},`);
    out.push('} as const;', `export type ${en.name} = (typeof ${en.name})[keyof typeof ${en.name}];`, '');
  }
  out.push(
    '/**',
    " * The core's exports. Every value is a wasm i32 or f32; pointers are byte offsets into the",
    " * engine's memory. A few exist only in some builds (PARTIAL_EXPORTS).",
    ' */',
    '// One line per export, so that exports with alike parameters do not read as copied code.',
    '// prettier-ignore',
    'export interface CoreAbi {',
  );
  const partial = abi.exports.filter(inSomeBuilds);
  let file = '';
  for (const e of abi.exports) {
    if (e.file !== file) {
      if (file) out.push('');
      out.push(`  // ${e.file}`);
      file = e.file;
    }
    const only = inSomeBuilds(e) ? [buildProse(e)] : [];
    out.push(...docBlock([...e.doc, ...only], '  '), method(e));
  }
  out.push(
    '}',
    '',
    '/** Each export and its number of parameters. */',
    "export const CORE_EXPORTS: { readonly [K in keyof CoreAbi]: Parameters<CoreAbi[K]>['length'] } = {",
    ...abi.exports.map((e) => `  ${e.name}: ${e.params.length},`),
    '};',
    '',
    '/** The exports only some builds have, and those builds; every other export is in every build. */',
    `export const PARTIAL_EXPORTS: { readonly [K in keyof CoreAbi]?: readonly BuildName[] } = {${partial.length ? '' : '};'}`,
    ...(partial.length ? [...partial.map((e) => `  ${e.name}: ${buildList(e)},`), '};'] : []),
    '',
  );
  return out.join('\n');
}

/** Writes the module; returns whether it changed. */
export function writeAbi() {
  const path = join(root, OUT);
  const text = renderAbi(readAbi());
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  writeFileSync(path, text);
  return true;
}

/** null when the committed module is what the Rust gives, else what is wrong. */
export function staleness() {
  const path = join(root, OUT);
  if (!existsSync(path)) return `${OUT} is missing`;
  const want = renderAbi(readAbi()).split('\n');
  const have = readFileSync(path, 'utf8').split('\n');
  const at = want.findIndex((l, i) => l !== have[i]);
  if (at < 0 && have.length === want.length) return null;
  const line = at < 0 ? want.length + 1 : at + 1;
  return (
    `${OUT} is out of date with core-rs/src (first difference at line ${line}: expected ${JSON.stringify(want[line - 1] ?? '<end of file>')}).\n` +
    `Run 'node scripts/gen-abi.mjs' (or 'npm run build:wasm') and commit the result; do not edit it by hand.`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    if (process.argv.includes('--check')) {
      const problem = staleness();
      if (problem) {
        console.error(`gen-abi: ${problem}`);
        process.exit(1);
      }
    } else if (writeAbi()) {
      console.log(`gen-abi: wrote ${OUT}`);
    }
  } catch (e) {
    if (!(e instanceof AbiError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
}
