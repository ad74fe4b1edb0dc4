// einsum with TF.js's limits (one or two operands, an explicit '->', no '...', no axis
// repeated within one operand), lowered to sum, transpose, reshape and one batched
// matMul, so it is differentiable through them and runs on the GEMM.

import { tidy } from '../tensor/scope.js';
import { sizeOf, type Tensor } from '../tensor/tensor.js';
import { matMul } from './matmul.js';
import { sum } from './reduce.js';
import { reshape, transpose } from './shape.js';
import { checkFloat, checkInputs, fmtShape } from './util.js';

/** An operand with its axis letters. */
interface Term {
  x: Tensor;
  letters: string[];
}

function fail(equation: string, why: string): never {
  throw new Error(`ferrite: einsum: '${equation}': ${why}`);
}

function parse(equation: string, operands: Tensor[]): { terms: Term[]; out: string[]; size: Map<string, number> } {
  if (typeof equation !== 'string') throw new Error('ferrite: einsum: the equation must be a string');
  const eq = equation.replace(/\s/g, '');
  const arrow = eq.indexOf('->');
  if (arrow < 0) fail(equation, "equations without '->' are not supported (as in TF.js)");
  if (eq.includes('.')) fail(equation, "'...' is not supported (as in TF.js)");
  const inputs = eq.slice(0, arrow).split(',');
  const out = [...eq.slice(arrow + 2)];
  if (inputs.length !== operands.length) {
    fail(equation, `names ${inputs.length} operand(s) but ${operands.length} tensor(s) were given`);
  }
  if (operands.length < 1 || operands.length > 2) fail(equation, 'takes one or two operands (as in TF.js)');
  const size = new Map<string, number>();
  const terms = inputs.map((spec, i): Term => {
    const x = operands[i];
    const letters = [...spec];
    if (letters.some((c) => !/[a-zA-Z]/.test(c))) fail(equation, `operand ${i} '${spec}' must be letters only`);
    if (new Set(letters).size !== letters.length) {
      fail(equation, `operand ${i} '${spec}' repeats an axis (not supported, as in TF.js)`);
    }
    if (letters.length !== x.rank) {
      fail(equation, `operand ${i} '${spec}' names ${letters.length} axes but has shape ${fmtShape(x.shape)}`);
    }
    letters.forEach((c, k) => {
      const d = size.get(c);
      if (d !== undefined && d !== x.shape[k]) {
        fail(
          equation,
          `axis '${c}' has size ${d} in one operand and ${x.shape[k]} in operand ${i} ${fmtShape(x.shape)}`,
        );
      }
      size.set(c, x.shape[k]);
    });
    return { x, letters };
  });
  if (new Set(out).size !== out.length) fail(equation, `the output '${out.join('')}' repeats an axis`);
  for (const c of out) if (!size.has(c)) fail(equation, `output axis '${c}' is in no operand`);
  return { terms, out, size };
}

/** The term with its letters absent from `keep` summed away. */
function sumOut(t: Term, keep: Set<string>): Term {
  const gone = t.letters.flatMap((c, k) => (keep.has(c) ? [] : [k]));
  if (gone.length === 0) return t;
  return { x: sum(t.x, gone), letters: t.letters.filter((c) => keep.has(c)) };
}

/** The term's axes in the order `letters` (a transpose, skipped when already so). */
function arrange(t: Term, letters: string[]): Tensor {
  const perm = letters.map((c) => t.letters.indexOf(c));
  return perm.every((p, i) => p === i) ? t.x : transpose(t.x, perm);
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((c, i) => c === b[i]);

/**
 * Einstein summation over one or two float32 tensors, as TF.js's `einsum`:
 * 'ij,jk->ik' (matMul), 'bij,bjk->bik' (batched), 'bhqd,bhkd->bhqk' and 'bhqk,bhkd->bhqd'
 * (attention), 'bi,bi->b' (row dot products), 'i,j->ij' (outer), 'ij->ji', 'ij->i'.
 * Axes in both operands and the output are batch axes, in both operands only are summed
 * (contracted), in one operand only are summed away first unless in the output.
 *
 * @example
 * ```ts
 * const a = fe.tensor2d([[1, 2], [3, 4]]);
 * const b = fe.tensor2d([[5], [6]]);
 * fe.einsum('ij,jk->ik', a, b).print(); // [[17], [39]], as matMul
 * fe.einsum('ij->j', a).print(); // [4, 6]
 * ```
 */
export function einsum(equation: string, ...tensors: Tensor[]): Tensor {
  checkInputs('einsum', ...tensors);
  tensors.forEach((t, i) => checkFloat('einsum', t, `operand ${i}`));
  const { terms, out, size } = parse(equation, tensors);
  const outSet = new Set(out);
  const y = tidy(() => {
    if (terms.length === 1) {
      const t = sumOut(terms[0], outSet);
      return arrange(t, out);
    }
    const [ta, tb] = terms;
    const inA = new Set(ta.letters);
    const inB = new Set(tb.letters);
    const a = sumOut(ta, new Set([...ta.letters].filter((c) => outSet.has(c) || inB.has(c))));
    const b = sumOut(tb, new Set([...tb.letters].filter((c) => outSet.has(c) || inA.has(c))));
    const batch = out.filter((c) => inA.has(c) && inB.has(c));
    const freeA = a.letters.filter((c) => !inB.has(c));
    const freeB = b.letters.filter((c) => !inA.has(c));
    const contracted = a.letters.filter((c) => inB.has(c) && !outSet.has(c));
    const dims = (cs: string[]) => sizeOf(cs.map((c) => size.get(c)!));
    const [nb, m, k, n] = [dims(batch), dims(freeA), dims(contracted), dims(freeB)];
    // Each operand as [batch, rows, cols]; when it is already stored with rows and cols
    // swapped, matMul reads it transposed instead of copying it.
    const transposeA =
      !same(a.letters, [...batch, ...freeA, ...contracted]) && same(a.letters, [...batch, ...contracted, ...freeA]);
    const transposeB =
      !same(b.letters, [...batch, ...contracted, ...freeB]) && same(b.letters, [...batch, ...freeB, ...contracted]);
    const a3 = transposeA
      ? reshape(a.x, [nb, k, m])
      : reshape(arrange(a, [...batch, ...freeA, ...contracted]), [nb, m, k]);
    const b3 = transposeB
      ? reshape(b.x, [nb, n, k])
      : reshape(arrange(b, [...batch, ...contracted, ...freeB]), [nb, k, n]);
    const c = matMul(a3, b3, transposeA, transposeB);
    const letters = [...batch, ...freeA, ...freeB];
    const shaped = reshape(
      c,
      letters.map((l) => size.get(l)!),
    );
    return arrange({ x: shaped, letters }, out);
  });
  // 'ij->ij' changes nothing: the caller still gets a tensor of its own.
  return tensors.includes(y) ? reshape(y, y.shape) : y;
}
