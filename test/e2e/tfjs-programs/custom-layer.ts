// A custom layer as TF.js's guides write one (static className, build with addWeight,
// call with invokeCallHook, computeOutputShape, getConfig, registerClass), and a VAE-like
// sampling layer applied to an array of inputs in a functional model.
import type * as TF from '@tensorflow/tfjs';

export function run(tf: typeof TF): unknown {
  class Scale extends tf.layers.Layer {
    static className = 'ScaleForParity';
    private scale!: TF.LayerVariable;
    constructor(private readonly config: { factor: number; name?: string }) {
      super(config);
    }
    override build(inputShape: TF.Shape | TF.Shape[]): void {
      const shape = inputShape as TF.Shape;
      this.scale = this.addWeight('scale', [shape[shape.length - 1] as number], 'float32', tf.initializers.ones());
      this.built = true;
    }
    override computeOutputShape(inputShape: TF.Shape | TF.Shape[]): TF.Shape | TF.Shape[] {
      return inputShape;
    }
    override call(inputs: TF.Tensor | TF.Tensor[], kwargs: Record<string, unknown>): TF.Tensor {
      this.invokeCallHook(inputs, kwargs);
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        return x.mul(this.scale.read()).mul(this.config.factor);
      });
    }
    override getConfig(): TF.serialization.ConfigDict {
      return { ...super.getConfig(), factor: this.config.factor };
    }
  }
  tf.serialization.registerClass(Scale);

  // z = mean + exp(logVar / 2) * epsilon, with a fixed epsilon so both libraries agree.
  class Sampling extends tf.layers.Layer {
    static className = 'SamplingForParity';
    override computeOutputShape(inputShape: TF.Shape | TF.Shape[]): TF.Shape | TF.Shape[] {
      return (inputShape as TF.Shape[])[0];
    }
    override call(inputs: TF.Tensor | TF.Tensor[]): TF.Tensor {
      return tf.tidy(() => {
        const [mean, logVar] = inputs as TF.Tensor[];
        const epsilon = tf.onesLike(mean).mul(0.5);
        return mean.add(logVar.mul(0.5).exp().mul(epsilon));
      });
    }
  }
  tf.serialization.registerClass(Sampling);

  const input = tf.input({ shape: [3] });
  const hidden = new Scale({ factor: 2 }).apply(input) as TF.SymbolicTensor;
  const mean = tf.layers.dense({ units: 2, name: 'z_mean' });
  const logVar = tf.layers.dense({ units: 2, name: 'z_log_var' });
  const z = new Sampling({}).apply([mean.apply(hidden), logVar.apply(hidden)] as TF.SymbolicTensor[]);
  const model = tf.model({ inputs: input, outputs: z as TF.SymbolicTensor });
  mean.setWeights([
    tf.tensor2d([
      [0.1, -0.2],
      [0.3, 0.4],
      [-0.5, 0.6],
    ]),
    tf.tensor1d([0.01, 0.02]),
  ]);
  logVar.setWeights([
    tf.tensor2d([
      [0.2, 0.1],
      [-0.1, 0.3],
      [0.05, -0.2],
    ]),
    tf.tensor1d([-0.1, 0.1]),
  ]);
  const x = tf.tensor2d([
    [1, 2, 3],
    [-1, 0.5, 2],
  ]);
  const y = model.predict(x) as TF.Tensor;
  const result = { prediction: y.arraySync(), factor: (model.layers[1].getConfig() as { factor: number }).factor };
  tf.dispose([x, y]);
  return result;
}
