// Backpropagation by hand-written training loops, with low-level ops and
// `variableGrads`: the custom-training-step style that a GAN (two models trained in
// alternation on two losses) needs, without `fit`.
//
// 1. A small net, input -> ReLU hidden -> sigmoid output, trained with mean squared
//    error on XOR, which no linear model can fit.
// 2. Binary classification with a sigmoid output and binary cross-entropy,
//    L = −mean(y log p + (1 − y) log(1 − p)), on two separable clouds of points.
//
//   npx tsx examples/backprop.ts

import {
  add,
  clipByValue,
  log,
  matMul,
  mean,
  metrics,
  mul,
  randomNormal,
  relu,
  sigmoid,
  square,
  sub,
  tensor2d,
  tidy,
  train,
  variable,
  variableGrads,
  zeros,
  type Optimizer,
  type Tensor,
  type Variable,
} from '../ts/index.js';
import { isMain } from './program.js';

/** Weights of a two-layer perceptron: x [n, inputs] -> hidden [n, hidden] -> output [n, 1]. */
interface Mlp {
  w1: Variable; // [inputs, hidden]
  b1: Variable; // [hidden]
  w2: Variable; // [hidden, 1]
  b2: Variable; // [1]
}

function makeMlp(inputs: number, hidden: number, seed: number): Mlp {
  // He initialisation for the ReLU layer, Glorot-like for the sigmoid output.
  return tidy(() => ({
    w1: variable(randomNormal([inputs, hidden], 0, Math.sqrt(2 / inputs), 'float32', seed)),
    b1: variable(zeros([hidden])),
    w2: variable(randomNormal([hidden, 1], 0, Math.sqrt(1 / hidden), 'float32', seed + 1)),
    b2: variable(zeros([1])),
  }));
}

const weightsOf = (m: Mlp): Variable[] => [m.w1, m.b1, m.w2, m.b2];

/** p = sigmoid(relu(x W1 + b1) W2 + b2), [n, 1]. */
function forward(m: Mlp, x: Tensor): Tensor {
  const hidden = relu(add(matMul(x, m.w1), m.b1));
  return sigmoid(add(matMul(hidden, m.w2), m.b2));
}

const meanSquaredError = (y: Tensor, p: Tensor): Tensor => mean(square(sub(y, p)));

/** −mean(y log p + (1 − y) log(1 − p)); p is clipped away from 0 and 1 so log stays finite. */
function binaryCrossEntropy(y: Tensor, p: Tensor): Tensor {
  const eps = 1e-7;
  const pc = clipByValue(p, eps, 1 - eps);
  return mul(-1, mean(add(mul(y, log(pc)), mul(sub(1, y), log(sub(1, pc))))));
}

/**
 * One training step: the loss and its gradient with respect to every weight
 * (backpropagation through the recorded ops), then the optimizer's update.
 */
function trainStep(loss: () => Tensor, weights: Variable[], optimizer: Optimizer): number {
  return tidy(() => {
    const { value, grads } = variableGrads(loss, weights);
    optimizer.applyGradients(grads);
    return value.dataSync()[0];
  });
}

export interface TrainingRun {
  losses: number[];
  /** The model's outputs on the training inputs after training. */
  predictions: number[];
  /** Fraction of the training points classified right (p > 0.5). */
  accuracy: number;
}

export interface BackpropOptions {
  /** Steps of part 1 (XOR, MSE). Default 2000. */
  xorSteps?: number;
  /** Steps of part 2 (clouds, BCE). Default 300. */
  bceSteps?: number;
  /** Points per cloud in part 2. Default 100. */
  pointsPerClass?: number;
  seed?: number;
  log?: (line: string) => void;
}

function run(
  name: string,
  x: Tensor,
  y: Tensor,
  hidden: number,
  lossFn: (y: Tensor, p: Tensor) => Tensor,
  optimizer: Optimizer,
  steps: number,
  seed: number,
  log: (l: string) => void,
): TrainingRun {
  const net = makeMlp(x.shape[1], hidden, seed);
  const weights = weightsOf(net);
  try {
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      losses.push(trainStep(() => lossFn(y, forward(net, x)), weights, optimizer));
      if (step === 0 || (step + 1) % Math.max(1, Math.floor(steps / 5)) === 0)
        log(`${name}: step ${String(step + 1).padStart(5)}  loss ${losses[step].toFixed(5)}`);
    }
    return tidy(() => {
      const p = forward(net, x);
      const accuracy = Array.from(metrics.binaryAccuracy(y, p).dataSync()).reduce((a, b) => a + b, 0) / y.size;
      return { losses, predictions: Array.from(p.dataSync()), accuracy };
    });
  } finally {
    for (const w of weights) w.dispose();
    optimizer.dispose();
  }
}

/** Two Gaussian clouds of points, around (−2, −1) (label 0) and (2, 1) (label 1), σ = 0.7. */
export function makeClouds(perClass: number, seed: number): { x: number[][]; y: number[][] } {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < 2 * perClass; i++) {
    const label = i % 2;
    const [cx, cy] = label ? [2, 1] : [-2, -1];
    x.push([cx + 0.7 * gauss(), cy + 0.7 * gauss()]);
    y.push([label]);
  }
  return { x, y };
}

export function main(opts: BackpropOptions = {}): { xor: TrainingRun; clouds: TrainingRun } {
  const { xorSteps = 2000, bceSteps = 300, pointsPerClass = 100, seed = 7 } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));

  // Part 1: XOR with a ReLU hidden layer and a sigmoid output, mean squared error, SGD.
  const xorX = tensor2d([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const xorY = tensor2d([[0], [1], [1], [0]]);
  const xor = run('XOR (MSE)', xorX, xorY, 8, meanSquaredError, train.sgd(0.5), xorSteps, seed, log);
  log(`XOR outputs for (0,0) (0,1) (1,0) (1,1): ${xor.predictions.map((p) => p.toFixed(3)).join('  ')}`);

  // Part 2: binary classification with binary cross-entropy, Adam.
  const clouds = makeClouds(pointsPerClass, seed);
  const cx = tensor2d(clouds.x);
  const cy = tensor2d(clouds.y);
  const bce = run('clouds (BCE)', cx, cy, 4, binaryCrossEntropy, train.adam(0.05), bceSteps, seed + 10, log);
  log(`clouds: training accuracy ${(bce.accuracy * 100).toFixed(1)} %`);

  for (const t of [xorX, xorY, cx, cy]) t.dispose();
  return { xor, clouds: bce };
}

if (isMain(import.meta.url)) main();
