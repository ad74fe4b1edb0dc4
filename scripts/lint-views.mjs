#!/usr/bin/env node
// Stale views of wasm memory: part of npm run lint (scripts/lint.mjs).
//
// A typed array over wasm memory (`t.view()`, `eng.f32`/`i32`/`u8`, `new XArray(memory.buffer)`)
// is only good until the memory grows. Growing an unshared memory (the scalar and simd
// builds) detaches every view taken before it: reads give undefined, writes go nowhere, and
// nothing throws (oneHot once read no indices and returned all-zero rows). Any allocation
// may grow it: a new tensor, `eng.alloc`, and a kernel call (kernels allocate scratch).
//
// This check flags a local holding such a view that is used after such a call, counted from
// where the view was (last) taken: take the view after the allocation, or take it again.
// "Such a call" is a call that returns a tensor (by its type), `tidy`/`untaped`, `.alloc()`,
// a kernel (`.core.fe_*`), a function of this project whose body makes such a call, or an
// `await` (anything may run meanwhile). A use inside a loop also counts a call anywhere in
// that loop (the next iteration). It is a heuristic (a callback or an interface method is
// not followed); test/faults/stale-views.test.ts forces growth at run time as the other net.
//
// `node scripts/lint-views.mjs [files...]` (default: ts/, bench/, examples/, test/ but not
// *.fixture.ts, the check's own test input) exits 1 on findings.
import ts from 'typescript';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCANNED = ['ts/', 'bench/', 'examples/', 'test/'];
const ALLOCATING_NAMES = new Set(['alloc', 'tidy', 'untaped']);
/** Core exports that never grow the memory (freeing puts a block on a free list). */
const NON_GROWING_EXPORTS = new Set(['fe_free', 'fe_heap_bytes_in_use']);
const TYPED_ARRAYS = new Set(['Float32Array', 'Int32Array', 'Uint8Array', 'Uint32Array', 'Float64Array']);

/** True when `e` makes a view of wasm memory. */
function isViewExpression(e) {
  e = skipParens(e);
  if (ts.isAsExpression(e) || ts.isNonNullExpression(e)) return isViewExpression(e.expression);
  // t.view(), f(...).view()
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'view')
    return e.arguments.length === 0;
  // eng.f32 / eng.i32 / eng.u8 (an Engine's views of all memory)
  if (ts.isPropertyAccessExpression(e) && ['f32', 'i32', 'u8'].includes(e.name.text)) return true;
  // new Float32Array(x.memory.buffer, ...)
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && TYPED_ARRAYS.has(e.expression.text)) {
    const a = e.arguments?.[0];
    return (
      a !== undefined &&
      ts.isPropertyAccessExpression(a) &&
      a.name.text === 'buffer' &&
      /memory$/.test(a.expression.getText())
    );
  }
  return false;
}

function skipParens(e) {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** True when the call may allocate wasm memory (and so grow it). */
function mayAllocate(call, checker) {
  const callee = call.expression;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (NON_GROWING_EXPORTS.has(name)) return false;
  if (ALLOCATING_NAMES.has(name)) return true;
  if (ts.isPropertyAccessExpression(callee) && /\.core$|^core$/.test(callee.expression.getText())) return true;
  const sig = checker.getResolvedSignature(call);
  if (!sig) return false;
  if (/\b(Tensor|Variable)\b/.test(checker.typeToString(checker.getReturnTypeOfSignature(sig)))) return true;
  return bodyAllocates(sig.getDeclaration(), checker);
}

/** Whether a function of this project (not a library's) makes an allocating call, directly or through its callees. */
const allocatingBodies = new Map();
function bodyAllocates(decl, checker) {
  if (!decl || !isFunctionLike(decl) || decl.getSourceFile().isDeclarationFile) return false;
  if (/[\\/]node_modules[\\/]/.test(decl.getSourceFile().fileName)) return false;
  if (allocatingBodies.has(decl)) return allocatingBodies.get(decl);
  allocatingBodies.set(decl, false); // a recursive call adds nothing
  const result = firstAllocatingCall(decl.body, checker) !== undefined;
  allocatingBodies.set(decl, result);
  return result;
}

/** True for `x` in `x = ...` (taking the view again is not a use of the old one). */
function isAssignedTo(id) {
  const p = id.parent;
  return ts.isBinaryExpression(p) && p.left === id && p.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

/** The first call in `node` that may allocate (nested functions aside), or undefined. */
function firstAllocatingCall(node, checker) {
  let found;
  const visit = (n) => {
    if (found || isFunctionLike(n)) return;
    if (ts.isCallExpression(n) && mayAllocate(n, checker)) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function viewTakenBefore(what, call) {
  const line = call.getSourceFile().getLineAndCharacterOfPosition(call.getStart()).line + 1;
  const where = ts.isAwaitExpression(call) ? 'an await' : `'${call.expression.getText()}(...)'`;
  return `${what} is a view of wasm memory taken before ${where} (line ${line}), which may grow the memory and detach it`;
}

function isLoop(n) {
  return (
    ts.isForStatement(n) ||
    ts.isForOfStatement(n) ||
    ts.isForInStatement(n) ||
    ts.isWhileStatement(n) ||
    ts.isDoStatement(n)
  );
}

function isFunctionLike(n) {
  return ts.isFunctionLike(n) && n.body !== undefined;
}

/** Checks one function body; returns findings as [node, message]. */
function checkFunction(fn, checker) {
  const findings = [];
  const defs = new Map(); // symbol -> positions (end) where the local gets a view
  const allocs = []; // allocating calls directly in this function (not in nested functions)
  const uses = []; // [identifier, symbol]
  const bind = (nameNode, init) => {
    if (!init) return;
    const sym = checker.getSymbolAtLocation(nameNode);
    if (!sym) return;
    if (isViewExpression(init)) (defs.get(sym) ?? defs.set(sym, []).get(sym)).push({ at: init.end });
  };
  const visit = (n) => {
    if (n !== fn && isFunctionLike(n)) return; // nested functions are checked on their own
    if (ts.isVariableDeclaration(n)) {
      if (ts.isIdentifier(n.name)) bind(n.name, n.initializer);
      else if (ts.isArrayBindingPattern(n.name) && n.initializer && ts.isArrayLiteralExpression(n.initializer)) {
        n.name.elements.forEach((el, i) => {
          if (ts.isBindingElement(el) && ts.isIdentifier(el.name)) bind(el.name, n.initializer.elements[i]);
        });
      }
    } else if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(n.left) &&
      isViewExpression(n.right)
    ) {
      bind(n.left, n.right);
    } else if (ts.isCallExpression(n) && mayAllocate(n, checker)) {
      allocs.push(n);
    } else if (ts.isAwaitExpression(n)) {
      allocs.push(n); // anything may run meanwhile (a callback, another step)
    }
    // `t.view()[i] = f()`: the view is made before f runs.
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isElementAccessExpression(n.left) &&
      isViewExpression(n.left.expression)
    ) {
      const culprit = firstAllocatingCall(n.right, checker);
      if (culprit)
        findings.push([n.left, `${viewTakenBefore(n.left.expression.getText(), culprit)}; compute the value first`]);
    }
    if (ts.isIdentifier(n) && !isAssignedTo(n)) {
      const sym = checker.getSymbolAtLocation(n);
      if (sym) uses.push([n, sym]);
    }
    ts.forEachChild(n, visit);
  };
  visit(fn);
  const reported = new Set();
  for (const [id, sym] of uses) {
    const ds = defs.get(sym);
    if (!ds) continue;
    const pos = id.getStart();
    const before = ds.filter((d) => d.at <= pos);
    if (before.length === 0) continue; // the binding name itself
    const from = Math.max(...before.map((d) => d.at));
    let culprit = allocs.find((c) => c.getStart() >= from && c.end <= pos);
    if (!culprit) {
      // A call later in an enclosing loop that the view was taken outside of runs before the next use.
      for (let p = id.parent; p && p !== fn; p = p.parent) {
        if (isLoop(p) && p.getStart() > from) {
          culprit = allocs.find((c) => c.getStart() >= p.getStart() && c.end <= p.end && c.getStart() > pos);
          if (culprit) break;
        }
      }
    }
    const key = `${sym.name}@${from}`;
    if (culprit && !reported.has(key)) {
      reported.add(key);
      findings.push([id, `${viewTakenBefore(`'${id.text}'`, culprit)}; take the view after`]);
    }
  }
  return findings;
}

function main() {
  const configPath = join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const args = process.argv.slice(2).map((f) => relative(root, join(process.cwd(), f)));
  const wanted = (f) => {
    const rel = relative(root, f);
    return args.length > 0
      ? args.includes(rel)
      : SCANNED.some((d) => rel.startsWith(d)) && !rel.endsWith('.fixture.ts');
  };
  const program = ts.createProgram(parsed.fileNames.filter(wanted), parsed.options);
  const checker = program.getTypeChecker();
  let count = 0;
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !wanted(sf.fileName)) continue;
    const visit = (n) => {
      if (isFunctionLike(n)) {
        for (const [node, msg] of checkFunction(n, checker)) {
          const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart());
          console.error(`${relative(root, sf.fileName)}:${line + 1}:${character + 1}: ${msg}`);
          count++;
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  if (count > 0) {
    console.error(`lint-views: ${count} stale view${count === 1 ? '' : 's'} of wasm memory`);
    process.exit(1);
  }
}

main();
