// Quantities that need nothing from the engine but the mean gradient and the loss (the original's
// ByproductQuantity): Loss, Time, Parameters, GradNorm.
import type { Quantity as QuantityRecord } from '@flightdeck/core';
import { CockpitQuantity, type StepData } from './quantity.js';
import { perParamRecord, perTensorSquaredNorms, scalarRecord } from './records.js';

/** The mean mini-batch loss L(θ_t). */
export class Loss extends CockpitQuantity {
  readonly name = 'Loss';
  async track(data: StepData): Promise<QuantityRecord[]> {
    return [scalarRecord(this.name, data.loss)];
  }
}

/** Wall-clock seconds since the Unix epoch when the step is tracked (for time-per-step benchmarks). */
export class Time extends CockpitQuantity {
  readonly name = 'Time';
  async track(): Promise<QuantityRecord[]> {
    return [scalarRecord(this.name, Date.now() / 1000)];
  }
}

/** θ_t, every parameter in full, in the tfjs layout (Dense [in,out], conv2d [kh,kw,in,out]). */
export class Parameters extends CockpitQuantity {
  readonly name = 'Parameters';
  async track(data: StepData): Promise<QuantityRecord[]> {
    const tensors = await Promise.all(
      data.theta.map(async (t, i) => ({ name: data.params[i].name, shape: t.shape, values: Array.from(await t.data(), Number), layout: 'tfjs' })),
    );
    return [{ name: this.name, tensors: { tensors } }];
  }
}

/** ‖∇L‖ per parameter. */
export class GradNorm extends CockpitQuantity {
  readonly name = 'GradNorm';
  async track(data: StepData): Promise<QuantityRecord[]> {
    return [perParamRecord(this.name, data.params, (await perTensorSquaredNorms(data.stats.grads)).map(Math.sqrt))];
  }
}
