// A custom layer registered with serialization.registerClass survives model.toJSON ->
// models.modelFromJSON: the rebuilt model has the layer, its config, and (after
// setWeights) the same predictions.

import { beforeAll, expect, it } from 'vitest';
import * as fe from '../../ts/index.js';

beforeAll(() => fe.ready());

class ScaleShift extends fe.layers.Layer {
  static override className = 'ScaleShiftForJson';
  private scale!: ReturnType<fe.layers.Layer['addWeight']>;
  readonly shift: number;
  constructor(config: { shift: number; name?: string }) {
    super(config);
    this.shift = config.shift;
  }
  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = inputShape as (number | null)[];
    this.scale = this.addWeight('scale', [shape[shape.length - 1] as number], 'float32', fe.initializers.ones());
    this.built = true;
  }
  override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]) {
    return inputShape;
  }
  override call(inputs: fe.Tensor | fe.Tensor[]): fe.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return fe.tidy(() => x.mul(this.scale.read()).add(this.shift));
  }
  override getConfig() {
    return { ...super.getConfig(), shift: this.shift };
  }
}
fe.serialization.registerClass(ScaleShift);

it('a Sequential model with a registered custom layer round-trips through toJSON and modelFromJSON', async () => {
  fe.setRandomSeed(8);
  const m = fe.sequential({
    layers: [
      fe.layers.dense({ units: 3, inputShape: [2] }),
      new ScaleShift({ shift: 0.25 }),
      fe.layers.dense({ units: 1 }),
    ],
  });
  m.layers[1].setWeights([fe.tensor([2, -1, 0.5])]);
  const json = m.toJSON() as string;
  expect(typeof json).toBe('string');
  expect(json).toContain('"class_name":"ScaleShiftForJson"');
  const again = await fe.models.modelFromJSON(JSON.parse(json));
  expect(again.layers[1]).toBeInstanceOf(ScaleShift);
  expect((again.layers[1] as ScaleShift).shift).toBe(0.25);
  expect(m.toJSON(null, false)).toEqual(again.toJSON(null, false));
  again.setWeights(m.getWeights());
  const x = fe.tensor([
    [1, 2],
    [-0.5, 3],
  ]);
  const [p1, p2] = [m.predict(x) as fe.Tensor, again.predict(x) as fe.Tensor];
  expect(Array.from(p2.dataSync())).toEqual(Array.from(p1.dataSync()));
  fe.dispose([x, p1, p2]);
  m.dispose();
  again.dispose();
});
