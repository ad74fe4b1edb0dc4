// One training step, the hot path of fit: forward and loss under the tape, gradients of
// the trainable weights, one optimizer update, metrics from the same predictions, and
// a handful of scalars read back. The caller opens and closes a scope around each step,
// so every intermediate tensor is freed per batch. A step whose loss or gradients are not
// finite is refused before the optimizer runs, and one whose updated weights or optimizer
// slots would not be finite is refused by the optimizer, which undoes its updates
// (`applyGradientsIfFinite`): either way no weight and no optimizer slot changes.

import type { Tensor, Variable } from '../tensor/tensor.js';
import { keep, tidy } from '../tensor/scope.js';
import type { LayerWeight } from '../layers/layer.js';
import { gradsOfVariables } from '../autograd/tape.js';
import type { TrainableModel } from './trainable-model.js';
import type { CallKwargs } from '../layers/layer.js';
import type { CompiledOutput, CompiledState } from './compile.js';
import { lossTargets, outputLoss, readScalar, totalLoss, updateMetrics } from './loss-compute.js';
import { firstNonFinite, NonFiniteStepError } from './finite.js';
import { distinctMasks } from './output-mask.js';

export class TrainStep {
  private readonly outputs: CompiledOutput[];
  private readonly preActivation: boolean[];
  private readonly vars: Variable[];
  private readonly hasRegularizers: boolean;
  private readonly multiOutput: boolean;
  private readonly kwargs: CallKwargs;
  /** Trained weights with a constraint, projected after each optimizer step. */
  private readonly constrained: LayerWeight[];

  constructor(
    private readonly model: TrainableModel,
    private readonly compiled: CompiledState,
    /** The entry point named in errors ('fit', 'trainOnBatch'). */
    private readonly op = 'trainOnBatch',
  ) {
    this.outputs = compiled.outputs();
    this.preActivation = this.outputs.map((o) => o.path !== 'plain');
    // The weights and frozen layers as they were at compile (Keras's rule).
    const snapshot = compiled.trainableSnapshot();
    this.vars = snapshot.variables;
    this.kwargs = { training: true, frozenLayers: snapshot.frozenLayers };
    this.hasRegularizers = model.layerWeights.some((w) => w.regularizer !== null);
    this.constrained = model.layerWeights.filter((w) => w.constraint !== null && this.vars.includes(w.variable));
    this.multiOutput = this.outputs.length > 1;
  }

  /**
   * Trains on one batch. Returns this batch's values named by `metricsNames` (loss
   * first), read back as numbers; the metric objects also add the batch to their epoch
   * totals. `sampleWeights[k]` ([batch]) weights output k's per-sample losses.
   */
  run(xs: Tensor[], targets: Tensor[], sampleWeights: (Tensor | null)[] | null): number[] {
    const ys = lossTargets(this.outputs, targets);
    let preds: Tensor[] = [];
    let lossesPerOutput: Tensor[] = [];
    // Each output's mask (null where none): the loss and metrics count its unmasked steps.
    const masks: (Tensor | null)[] = [];
    try {
      // Layers with an activityRegularizer add their penalties here during the forward pass.
      const activityLosses: Tensor[] = [];
      const kwargs = { ...this.kwargs, activityLosses };
      const { value, grads } = gradsOfVariables(() => {
        const outs = this.model.execute(xs, kwargs, this.preActivation, masks);
        // Kept past the gradient computation: metrics read the same forward pass.
        preds = outs.map((t) => (xs.includes(t) ? t : keep(t)));
        for (const m of distinctMasks(masks)) keep(m);
        lossesPerOutput = this.outputs.map((o, k) =>
          outputLoss(o, ys[k], outs[k], sampleWeights?.[k] ?? null, masks[k] ?? null),
        );
        if (this.multiOutput) lossesPerOutput.forEach((t) => keep(t));
        const penalties =
          this.hasRegularizers || activityLosses.length > 0
            ? () => [...(this.hasRegularizers ? this.model.regularizationLosses() : []), ...activityLosses]
            : null;
        return totalLoss(this.outputs, lossesPerOutput, penalties);
      }, this.vars);
      const values = [readScalar(value)];
      if (this.multiOutput) for (const l of lossesPerOutput) values.push(readScalar(l));
      this.refuseNonFinite(values[0], grads);
      const blocked = this.compiled.optimizer.applyGradientsIfFinite(grads);
      if (blocked !== null)
        this.refuse(
          `update of ${blocked}`,
          NaN,
          `the update would make ${blocked} or its optimizer state NaN or Infinity`,
        );
      // Constraints project the updated weights (Keras applies them after each step).
      for (const w of this.constrained) tidy(() => w.variable.assign(w.constraint!.apply(w.variable)));
      this.outputs.forEach((o, k) => updateMetrics(o, ys[k], preds[k], values, masks[k] ?? null));
      return values;
    } finally {
      for (const t of preds) if (!xs.includes(t)) t.dispose();
      for (const m of distinctMasks(masks)) m.dispose();
      if (this.multiOutput) for (const t of lossesPerOutput) t.dispose();
    }
  }

  /** Throws NonFiniteStepError when the loss or a gradient holds NaN or Infinity. */
  private refuseNonFinite(loss: number, grads: Record<string, Tensor>): void {
    if (!Number.isFinite(loss)) this.refuse('loss', loss);
    for (const [name, g] of Object.entries(grads)) {
      const i = firstNonFinite(g);
      if (i >= 0) this.refuse(`gradient of ${name}`, g.view()[i]);
    }
  }

  private refuse(what: string, value: number, why = `the ${what} is ${value}`): never {
    throw new NonFiniteStepError(
      what,
      value,
      `ferrite: ${this.model.name}: ${this.op}: ${why}; the step was refused and no weight changed`,
    );
  }
}
