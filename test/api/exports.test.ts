// The public API, name by name: what `import * as fe from 'ferrite-nn'` offers. Changing
// either list is an API decision, not a test to update: a name added here is one users
// will rely on (and README.md should say what it does); a name removed breaks them.
// The rule (ts/index.ts): TF.js's names for what Ferrite implements, plus Ferrite's own
// additions; never internals (kernel helpers, resolvers, registries, the classes behind
// the factories).

import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as fe from '../../ts/index.js';

/** Every runtime export, and the members of those that are namespaces (`layers.dense`, `train.adam`). */
const VALUES = [
  'CustomCallback',
  'EarlyStopping',
  'History',
  'LayersModel',
  'Optimizer',
  'Sequential',
  'SymbolicTensor',
  'Tensor',
  'Variable',
  'abs',
  'add',
  'addN',
  'argMax',
  'argMin',
  'avgPool',
  'batchNorm',
  'broadcastTo',
  'callbacks',
  'callbacks.earlyStopping',
  'cast',
  'clipByValue',
  'clone',
  'concat',
  'conv2d',
  'datasets',
  'datasets.cifar10',
  'datasets.fashionMnist',
  'datasets.mnist',
  'datasets.mnistDigits',
  'dispose',
  'div',
  'dropout',
  'elu',
  'exp',
  'expandDims',
  'fill',
  'fusedConv2d',
  'gather',
  'getBackend',
  'getThreadsCount',
  'grad',
  'grads',
  'initializers',
  'initializers.constant',
  'initializers.glorotNormal',
  'initializers.glorotUniform',
  'initializers.heNormal',
  'initializers.heUniform',
  'initializers.identity',
  'initializers.leCunNormal',
  'initializers.leCunUniform',
  'initializers.ones',
  'initializers.orthogonal',
  'initializers.randomNormal',
  'initializers.randomUniform',
  'initializers.truncatedNormal',
  'initializers.varianceScaling',
  'initializers.zeros',
  'input',
  'keep',
  'layers',
  'layers.Layer',
  'layers.activation',
  'layers.averagePooling2d',
  'layers.batchNormalization',
  'layers.conv2d',
  'layers.dense',
  'layers.dropout',
  'layers.flatten',
  'layers.globalAveragePooling2d',
  'layers.globalMaxPooling2d',
  'layers.input',
  'layers.maxPooling2d',
  'layers.reshape',
  'layers.zeroPadding2d',
  'leakyRelu',
  'log',
  'logSoftmax',
  'losses',
  'losses.binaryCrossentropy',
  'losses.categoricalCrossentropy',
  'losses.huber',
  'losses.meanAbsoluteError',
  'losses.meanSquaredError',
  'losses.sigmoidCrossEntropyWithLogits',
  'losses.softmaxCrossEntropyWithLogits',
  'losses.sparseCategoricalCrossentropy',
  'losses.sparseSoftmaxCrossEntropyWithLogits',
  'matMul',
  'max',
  'maxPool',
  'maximum',
  'mean',
  'memory',
  'metrics',
  'metrics.binaryAccuracy',
  'metrics.categoricalAccuracy',
  'metrics.f1',
  'metrics.macroF1',
  'metrics.macroPrecision',
  'metrics.macroRecall',
  'metrics.mae',
  'metrics.meanAbsoluteError',
  'metrics.meanSquaredError',
  'metrics.mse',
  'metrics.precision',
  'metrics.recall',
  'metrics.sparseCategoricalAccuracy',
  'min',
  'minimum',
  'model',
  'mul',
  'neg',
  'oneHot',
  'ones',
  'onesLike',
  'pad',
  'parseIdx',
  'plot',
  'plot.lineChart',
  'plot.plotHistory',
  'pow',
  'randomNormal',
  'randomUniform',
  'readIdx',
  'ready',
  'reciprocal',
  'regularizers',
  'regularizers.l1',
  'regularizers.l1l2',
  'regularizers.l2',
  'relu',
  'relu6',
  'rescale',
  'reshape',
  'scalar',
  'selu',
  'sequential',
  'serialization',
  'serialization.registerClass',
  'setBackend',
  'setMaxMemory',
  'setRandomSeed',
  'setThreadsCount',
  'setWasmPaths',
  'shuffle',
  'sigmoid',
  'sign',
  'slice',
  'softmax',
  'softplus',
  'sqrt',
  'square',
  'squaredDifference',
  'squeeze',
  'stack',
  'sub',
  'sum',
  'tanh',
  'tensor',
  'tensor1d',
  'tensor2d',
  'tensor3d',
  'tensor4d',
  'tidy',
  'tile',
  'toCategorical',
  'train',
  'train.adam',
  'train.momentum',
  'train.rmsprop',
  'train.sgd',
  'trainTestSplit',
  'transpose',
  'truncatedNormal',
  'unstack',
  'valueAndGrad',
  'valueAndGrads',
  'variable',
  'variableGrads',
  'worker',
  'worker.create',
  'zeros',
  'zerosLike',
];

/** Every export that exists only as a type (interfaces, type aliases, classes exported as types). */
const TYPES = [
  'ActivationFn',
  'BuildName',
  'CallbackModel',
  'CustomCallbackArgs',
  'DataType',
  'ExplicitPadding',
  'FusedConv2DArgs',
  'Logs',
  'ModelArgs',
  'ModelCompileArgs',
  'ModelEvaluateArgs',
  'ModelFitArgs',
  'ModelPredictArgs',
  'NestedArray',
  'Operand',
  'Padding',
  'PaddingMode',
  'SequentialArgs',
  'Shape',
  'Size2D',
  'TensorContainer',
  'TensorLike',
  'TypedArray',
  'initializers.ConstantArgs',
  'initializers.FanMode',
  'initializers.IdentityArgs',
  'initializers.Initializer',
  'initializers.InitializerIdentifier',
  'initializers.OrthogonalArgs',
  'initializers.RandomNormalArgs',
  'initializers.RandomUniformArgs',
  'initializers.SeedOnlyArgs',
  'initializers.VarianceScalingArgs',
  'initializers.VarianceScalingDistribution',
  'layers.ActivationIdentifier',
  'layers.ActivationLayerArgs',
  'layers.BatchNormalizationArgs',
  'layers.CallKwargs',
  'layers.Conv2DArgs',
  'layers.DenseArgs',
  'layers.DropoutArgs',
  'layers.GlobalPooling2DArgs',
  'layers.InputArgs',
  'layers.KernelBiasArgs',
  'layers.LayerArgs',
  'layers.LayerConfig',
  'layers.Pooling2DArgs',
  'layers.ReshapeArgs',
  'layers.SymbolicShape',
  'layers.ZeroPadding2DArgs',
  'losses.LossFn',
  'metrics.Metric',
  'metrics.MetricFn',
  'metrics.MetricIdentifier',
  'plot.HistoryLike',
  'plot.LineChartOptions',
  'plot.LinePanel',
  'plot.LineSeries',
  'plot.PlotHistoryOptions',
  'regularizers.L1L2Args',
  'regularizers.Regularizer',
  'regularizers.RegularizerIdentifier',
  'serialization.SerializableClass',
  'serialization.SerializedObject',
  'worker.BackgroundCallback',
  'worker.BackgroundFitArgs',
  'worker.CreateOptions',
  'worker.DataInput',
  'worker.HistoryData',
  'worker.ModelConfig',
  'worker.OptimizerSpec',
  'worker.TensorData',
  'worker.Trainer',
  'worker.WorkerCompileArgs',
];

const ENTRY = fileURLToPath(new URL('../../ts/index.ts', import.meta.url));

/** A namespace: a module (`layers`) or a plain object of functions (`train`); not a class or function. */
function isNamespace(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

function runtimeNames(): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(fe)) {
    names.push(name);
    if (isNamespace(value)) for (const member of Object.keys(value)) names.push(`${name}.${member}`);
  }
  return names.sort();
}

/** Every name the type checker sees exported from ts/index.ts, namespaces' members included. */
function declaredNames(): string[] {
  const program = ts.createProgram([ENTRY], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const names: string[] = [];
  const walk = (module: ts.Symbol, prefix: string) => {
    for (const symbol of checker.getExportsOfModule(module)) {
      names.push(prefix + symbol.name);
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (prefix === '' && target.flags & ts.SymbolFlags.ValueModule) walk(target, `${symbol.name}.`);
    }
  };
  walk(checker.getSymbolAtLocation(program.getSourceFile(ENTRY)!)!, '');
  return names.sort();
}

describe('the public API (ts/index.ts)', () => {
  it('exports exactly these values', () => {
    expect(runtimeNames()).toEqual(VALUES);
  });

  it('exports exactly these types besides the values', () => {
    const values = new Set(VALUES);
    expect(declaredNames().filter((n) => !values.has(n))).toEqual(TYPES);
  }, 60_000);
});
