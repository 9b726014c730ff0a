// Quantities built from the per-coordinate second moment Σ_n g_n² of the individual gradients: MeanGSNR, CABS,
// EarlyStopping, and (with a curvature diagonal) HessTrace, TICDiag, TICTrace.
import * as tf from '@tensorflow/tfjs';
import type { JsonValue, Quantity as QuantityRecord } from '@flightdeck/core';
import type { StatsRequest } from '../engine/types.js';
import type { TrackSchedule } from '../schedules/index.js';
import { checkCurvature, curvatureDiagonal, curvatureRequest, type Curvature } from './curvature.js';
import { CockpitQuantity, type QuantityName, type StepData, type StepPlan } from './quantity.js';
import { download, downloadScalar, perParamRecord, requireStat, scalarRecord, sumAll, totalSquaredNorm } from './records.js';

/** Σ over every coordinate j of f(g_j, Σ_n g_nj²), as one scalar tensor. */
function sumOverCoordinates(data: StepData, quantity: QuantityName, f: (g: tf.Tensor, sgs: tf.Tensor, p: number) => tf.Tensor): tf.Scalar {
  const sgs = requireStat(data, 'sumGradSquared', quantity);
  return tf.tidy(() => tf.addN(data.stats.grads.map((g, p) => tf.sum(f(g, sgs[p], p)))) as tf.Scalar);
}

function numParams(data: StepData): number {
  return data.params.reduce((a, p) => a + p.size, 0);
}

/** Plain SGD's learning rate; CABS and EarlyStopping are defined only for it, as in the original. */
function sgdLearningRate(data: StepData, quantity: QuantityName): number {
  if (data.optimizer.kind !== 'sgd') {
    const what = data.optimizer.kind === 'other' ? data.optimizer.name : 'an unknown optimizer';
    throw new Error(`${quantity} at step ${data.step}: needs plain SGD (no momentum, no weight decay), but the step is made by ${what}`);
  }
  return data.optimizer.lr;
}

/** mean_j g_j² / (v_j + ε) over every coordinate j, with the per-coordinate variance v each quantity defines. */
abstract class SignalToNoise extends CockpitQuantity {
  constructor(
    schedule: TrackSchedule,
    readonly epsilon = 1e-5,
  ) {
    super(schedule);
  }
  override request(): StatsRequest {
    return { sumGradSquared: true };
  }
  override options(): Record<string, JsonValue> {
    return { epsilon: this.epsilon };
  }
  /** v_j from Σ_n g_nj², g_j² and N. */
  protected abstract variance(sgs: tf.Tensor, g2: tf.Tensor, n: number): tf.Tensor;
  protected async meanRatio(data: StepData): Promise<number> {
    const n = data.batchSize;
    const total = await downloadScalar(
      sumOverCoordinates(data, this.name, (g, sgs) => {
        const g2 = tf.square(g);
        return tf.div(g2, tf.add(this.variance(sgs, g2, n), this.epsilon));
      }),
    );
    return total / numParams(data);
  }
}

/** mean_j g_j² / (var_pop,n(g_nj) + ε) (Liu et al. 2020), var_pop with ddof 0. */
export class MeanGSNR extends SignalToNoise {
  readonly name = 'MeanGSNR';
  protected variance(sgs: tf.Tensor, g2: tf.Tensor, n: number): tf.Tensor {
    return tf.sub(tf.div(sgs, n), g2);
  }
  async track(data: StepData): Promise<QuantityRecord[]> {
    return [scalarRecord(this.name, await this.meanRatio(data))];
  }
}

/** lr · Σ_j var_pop,n(g_nj) / L: the batch size suggested by CABS (Balles et al. 2017). SGD only. */
export class CABS extends CockpitQuantity {
  readonly name = 'CABS';
  override request(): StatsRequest {
    return { sumGradSquared: true };
  }
  async track(data: StepData): Promise<QuantityRecord[]> {
    const lr = sgdLearningRate(data, this.name);
    const n = data.batchSize;
    const sgs = await downloadScalar(sumAll(requireStat(data, 'sumGradSquared', this.name)));
    const g2 = await totalSquaredNorm(data.stats.grads);
    return [scalarRecord(this.name, (lr * (sgs - n * g2)) / (n * data.loss))];
  }
}

/** 1 − N·mean_j g_j² / (var_s,n(g_nj) + ε) (Mahsereci et al. 2017); stop when > 0. SGD only, as in the original. */
export class EarlyStopping extends SignalToNoise {
  readonly name = 'EarlyStopping';
  protected variance(sgs: tf.Tensor, g2: tf.Tensor, n: number): tf.Tensor {
    return tf.div(tf.sub(sgs, tf.mul(g2, n)), n - 1);
  }
  async track(data: StepData): Promise<QuantityRecord[]> {
    sgdLearningRate(data, this.name);
    return [scalarRecord(this.name, 1 - data.batchSize * (await this.meanRatio(data)))];
  }
}

/** A quantity that reads a diagonal curvature chosen by `curvature`. */
abstract class CurvatureQuantity extends CockpitQuantity {
  readonly curvature: Curvature;
  constructor(schedule: TrackSchedule, curvature: string) {
    super(schedule);
    // The class name is the quantity name; `name` itself is not initialised yet.
    this.curvature = checkCurvature(curvature, new.target.name as QuantityName);
  }
  override request(plan: StepPlan): StatsRequest {
    return curvatureRequest(this.curvature, plan);
  }
  override options(): Record<string, JsonValue> {
    return { curvature: this.curvature };
  }
  protected diagonal(data: StepData): tf.Tensor[] {
    return curvatureDiagonal(this.curvature, data, this.name);
  }
}

/** Σ of the curvature diagonal per parameter. */
export class HessTrace extends CurvatureQuantity {
  readonly name = 'HessTrace';
  constructor(schedule: TrackSchedule, curvature: Curvature = 'diag_h') {
    super(schedule, curvature);
  }
  async track(data: StepData): Promise<QuantityRecord[]> {
    const diag = this.diagonal(data);
    return [perParamRecord(this.name, data.params, await download(tf.tidy(() => tf.stack(diag.map((d) => tf.sum(d))))))];
  }
}

/** The TIC approximations (Thomas et al. 2019): second moment M_j = (1/N) Σ_n g_nj² (uncentred) over curvature. */
abstract class Takeuchi extends CurvatureQuantity {
  constructor(
    schedule: TrackSchedule,
    curvature: Curvature = 'diag_h',
    readonly epsilon = 1e-7,
  ) {
    super(schedule, curvature);
  }
  override request(plan: StepPlan): StatsRequest {
    return { ...super.request(plan), sumGradSquared: true };
  }
  override options(): Record<string, JsonValue> {
    return { ...super.options(), epsilon: this.epsilon };
  }
}

/** Σ_j M_j / (h_j + ε), h the curvature diagonal. */
export class TICDiag extends Takeuchi {
  readonly name = 'TICDiag';
  async track(data: StepData): Promise<QuantityRecord[]> {
    const diag = this.diagonal(data);
    const n = data.batchSize;
    const total = await downloadScalar(sumOverCoordinates(data, this.name, (_g, sgs, p) => tf.div(tf.div(sgs, n), tf.add(diag[p], this.epsilon))));
    return [scalarRecord(this.name, total)];
  }
}

/** (Σ_j M_j) / (Σ_j h_j + ε). */
export class TICTrace extends Takeuchi {
  readonly name = 'TICTrace';
  async track(data: StepData): Promise<QuantityRecord[]> {
    const moment = (await downloadScalar(sumAll(requireStat(data, 'sumGradSquared', this.name)))) / data.batchSize;
    const trace = await downloadScalar(sumAll(this.diagonal(data)));
    return [scalarRecord(this.name, moment / (trace + this.epsilon))];
  }
}
