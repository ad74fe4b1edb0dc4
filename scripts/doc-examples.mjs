// The `@example` blocks of the TSDoc comments under ts/, read straight from the source (no
// TypeDoc run, so that the test which runs them starts in a second). Used by
// scripts/check-examples.mjs (type-check) and test/api/doc-examples.test.ts (run).
//
// The convention (docs/examples.md): after `@example`, a fenced ```ts block written against
// `import * as fe from 'ferrite-nn'` without the import. ```ts browser blocks need a page
// (type-checked, not run); ```ts no-run blocks need files or the network (type-checked only).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every .ts file under `dir`, sorted, skipping `.d.ts` and generated code. */
function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

// Declarations a doc comment can sit on: a top-level one (column 0) names a container for the
// members that follow it; an indented one is a member (method, property, object-literal key).
const TOP_LEVEL =
  /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/;
const MEMBER =
  /^\s+(?:(?:public|static|readonly|async|override|abstract|declare|get|set)\s+)*\*?\s*(['"]?)([A-Za-z_$][\w$]*)\1\??\s*[(<:=,]/;

/** The name of the declaration that follows a comment ending at `end`, qualified by its container. */
function symbolAfter(source, end, container) {
  const rest = source.slice(end).split('\n');
  for (const raw of rest.slice(0, 8)) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trim().startsWith('@') || line.trim().startsWith('//')) continue;
    const top = TOP_LEVEL.exec(line);
    if (top) return { name: top[1], top: true };
    const symbolKey = /^\s+(?:async\s+)?\[(Symbol\.\w+)\]/.exec(line);
    if (symbolKey) return { name: container ? `${container}.[${symbolKey[1]}]` : symbolKey[1], top: false };
    const member = MEMBER.exec(line);
    if (member) return { name: container ? `${container}.${member[2]}` : member[2], top: false };
    return { name: line.trim().slice(0, 40), top: false };
  }
  return { name: '(end of file)', top: false };
}

/** The fence info string's flags: `ts`, `ts browser`, `ts no-run`. */
function fenceMode(info) {
  const words = info.trim().split(/\s+/);
  if (words[0] !== 'ts' && words[0] !== 'typescript') return undefined;
  if (words.includes('browser')) return 'browser';
  if (words.includes('no-run')) return 'no-run';
  return 'run';
}

/**
 * Every `@example` of every doc comment in `root/ts`, in file order.
 *
 * @returns `{examples, problems}`: each example is `{symbol, file, line, mode, code}` (`file`
 *   relative to root, `line` the 1-based source line of the code's first line, `mode` 'run',
 *   'browser' or 'no-run'); each problem is `{symbol, file, line, message}` (an `@example`
 *   with no ```ts fence, or an unclosed fence).
 */
export function extractExamples(root, { exclude = [] } = {}) {
  const examples = [];
  const problems = [];
  const dir = join(root, 'ts');
  for (const path of tsFiles(dir)) {
    const file = relative(root, path).split(sep).join('/');
    if (exclude.some((ex) => file.startsWith(`ts/${ex}/`))) continue;
    const source = readFileSync(path, 'utf8');
    if (!source.includes('@example')) continue;
    let container;
    let scanned = 0;
    const comments = /\/\*\*[\s\S]*?\*\//g;
    for (let m; (m = comments.exec(source));) {
      // Containers: the last top-level declaration before this comment.
      for (const line of source.slice(scanned, m.index).split('\n')) {
        const top = TOP_LEVEL.exec(line);
        if (top) container = top[1];
      }
      scanned = m.index;
      if (!m[0].includes('@example')) continue;
      const startLine = source.slice(0, m.index).split('\n').length;
      const { name, top } = symbolAfter(source, m.index + m[0].length, container);
      if (top) container = name;
      const lines = m[0]
        .replace(/^\/\*\*/, '')
        .replace(/\*\/$/, '')
        .split('\n')
        .map((l) => l.replace(/^\s*\* ?/, ''));
      let inExample = false;
      let fence; // {mode, start, code[]} while inside a fence
      let sawFence = false;
      let exampleLine = 0;
      const closeExample = () => {
        if (inExample && !sawFence) {
          problems.push({ symbol: name, file, line: exampleLine, message: '@example without a ```ts fence' });
        }
      };
      lines.forEach((text, i) => {
        const line = startLine + i;
        if (fence) {
          if (/^\s*```\s*$/.test(text)) {
            if (fence.mode)
              examples.push({ symbol: name, file, line: fence.start, mode: fence.mode, code: fence.code.join('\n') });
            fence = undefined;
          } else fence.code.push(text);
          return;
        }
        const open = /^\s*```(.*)$/.exec(text);
        if (open) {
          fence = { mode: inExample ? fenceMode(open[1]) : undefined, start: line + 1, code: [] };
          if (inExample) {
            sawFence = true;
            if (!fence.mode) {
              problems.push({ symbol: name, file, line, message: `@example fence is \`\`\`${open[1]}, not \`\`\`ts` });
            }
          }
          return;
        }
        if (/^@\w+/.test(text.trim())) {
          closeExample();
          inExample = /^@example\b/.test(text.trim());
          sawFence = false;
          exampleLine = line;
        }
      });
      if (fence) problems.push({ symbol: name, file, line: fence.start - 1, message: 'unclosed ``` fence' });
      closeExample();
    }
  }
  return { examples, problems };
}
