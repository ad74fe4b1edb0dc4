// Gradient descent on a linear regression: the price of a house from its size.
//
//   model     ŷ = θ0 + θ1 x
//   loss      L(θ) = ½ Σ (y − θ0 − θ1 x)²
//   gradient  ∂L/∂θ0 = −Σ (y − ŷ),   ∂L/∂θ1 = −Σ (y − ŷ) x
//   update    Δθ = −α ∇L(θ)
//
// θ lives in two variables; autograd (`variableGrads`) computes ∇L, which the example
// checks once against the formula above; plain SGD applies Δθ = −α ∇L. θ converges to
// the least-squares solution, which the example also computes in closed form.
//
//   npx tsx examples/linear-regression.ts

import {
  add,
  mul,
  scalar,
  square,
  sub,
  sum,
  tensor1d,
  tidy,
  train,
  variable,
  variableGrads,
  type Tensor,
} from '../ts/index.js';
import { isMain } from './program.js';

export interface LinearRegressionOptions {
  /** Sizes (x, in 1000 sq ft) and prices (y, in $1000). Default: 100 houses, price = 50 + 150 x + noise. */
  x?: number[];
  y?: number[];
  /** Gradient-descent steps (default 500). */
  steps?: number;
  /** α; default 0.3 / n, below the stability limit 2 / λmax(XᵀX) for these sizes. */
  learningRate?: number;
  /** Print θ every this many steps (0: silent). Default 100. */
  printEvery?: number;
  log?: (line: string) => void;
}

export interface LinearRegressionResult {
  theta0: number;
  theta1: number;
  /** The closed-form least-squares solution [θ0, θ1]. */
  leastSquares: [number, number];
  /** L(θ) after each step. */
  losses: number[];
  /** ∇L at θ = (0, 0) from autograd and from the formula. */
  firstGradient: { autograd: [number, number]; formula: [number, number] };
}

/** Houses of 0.8–3.2 thousand sq ft priced 50 + 150·size (in $1000) plus noise of ±20. */
export function makeHouses(n = 100, seed = 1): { x: number[]; y: number[] } {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = 0.8 + 2.4 * rand();
    x.push(size);
    y.push(50 + 150 * size + 40 * (rand() - 0.5));
  }
  return { x, y };
}

/** Ordinary least squares for one feature, in float64: θ1 = cov(x, y) / var(x), θ0 = ȳ − θ1 x̄. */
export function leastSquares(x: number[], y: number[]): [number, number] {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const t1 = sxy / sxx;
  return [my - t1 * mx, t1];
}

export function main(opts: LinearRegressionOptions = {}): LinearRegressionResult {
  const data = opts.x && opts.y ? { x: opts.x, y: opts.y } : makeHouses();
  const n = data.x.length;
  const { steps = 500, learningRate = 0.3 / n, printEvery = 100 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));

  const x = tensor1d(data.x);
  const y = tensor1d(data.y);
  const [theta0, theta1] = tidy(() => [variable(scalar(0)), variable(scalar(0))]);
  const optimizer = train.sgd(learningRate); // θ ← θ − α ∇L
  // L(θ) = ½ Σ (y − θ0 − θ1 x)²
  const loss = (): Tensor => mul(0.5, sum(square(sub(y, add(theta0, mul(theta1, x))))));

  try {
    // Check autograd against the formula once, at θ = (0, 0), where ŷ = 0:
    // ∂L/∂θ0 = −Σ y, ∂L/∂θ1 = −Σ y x.
    const autograd = tidy(() => {
      const { grads } = variableGrads(loss, [theta0, theta1]);
      return [grads[theta0.name].dataSync()[0], grads[theta1.name].dataSync()[0]] as [number, number];
    });
    const formula: [number, number] = [
      -data.y.reduce((a, b) => a + b, 0),
      -data.y.reduce((a, yi, i) => a + yi * data.x[i], 0),
    ];

    const losses: number[] = [];
    for (let step = 1; step <= steps; step++) {
      const value = tidy(() => {
        const { value, grads } = variableGrads(loss, [theta0, theta1]);
        optimizer.applyGradients(grads);
        return value.dataSync()[0];
      });
      losses.push(value);
      if (printEvery > 0 && (step % printEvery === 0 || step === 1)) {
        log(
          `step ${String(step).padStart(4)}  L = ${value.toFixed(2).padStart(12)}  θ0 = ${theta0.dataSync()[0].toFixed(3)}  θ1 = ${theta1.dataSync()[0].toFixed(3)}`,
        );
      }
    }
    const result: LinearRegressionResult = {
      theta0: theta0.dataSync()[0],
      theta1: theta1.dataSync()[0],
      leastSquares: leastSquares(data.x, data.y),
      losses,
      firstGradient: { autograd, formula },
    };
    if (printEvery > 0) {
      log(`gradient descent:  θ0 = ${result.theta0.toFixed(3)}, θ1 = ${result.theta1.toFixed(3)}`);
      log(`least squares:     θ0 = ${result.leastSquares[0].toFixed(3)}, θ1 = ${result.leastSquares[1].toFixed(3)}`);
    }
    return result;
  } finally {
    for (const t of [x, y, theta0, theta1]) t.dispose();
    optimizer.dispose();
  }
}

if (isMain(import.meta.url)) main();
