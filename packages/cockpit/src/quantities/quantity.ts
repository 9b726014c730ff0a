// The shape every Cockpit quantity has, as in the original: what it needs from the engine (request), when it runs
// (its schedule; two-step quantities start and end on different steps), and how it computes (track).
import type * as tf from '@tensorflow/tfjs';
import type { JsonValue, Quantity as QuantityRecord, Rng } from '@flightdeck/core';
import type { BatchStats, ParamInfo, StatsRequest } from '../engine/types.js';
import type { TrackSchedule } from '../schedules/index.js';

/** The original Cockpit's class names; they are the names in records and logs. */
export const QUANTITY_NAMES = [
  'Loss', 'Time', 'Parameters', 'GradNorm', 'Distance', 'UpdateSize', 'Alpha', 'CABS', 'EarlyStopping', 'NormTest',
  'InnerTest', 'OrthoTest', 'MeanGSNR', 'GradHist1d', 'GradHist2d', 'HessTrace', 'HessMaxEV', 'TICDiag', 'TICTrace',
] as const;
export type QuantityName = (typeof QUANTITY_NAMES)[number];

/**
 * The optimizer as far as the quantities care: Alpha takes its cheap path, and CABS / EarlyStopping are defined,
 * only for plain SGD (no momentum, no weight decay), whose step is −lr·g.
 */
export type OptimizerInfo = { kind: 'sgd'; lr: number } | { kind: 'other'; name: string } | { kind: 'unknown' };

/** What a quantity may look at while planning a step, before the engine's pass. */
export interface StepPlan {
  step: number;
  /** θ_step (the model's current values, before this step's update). Owned by the Cockpit. */
  theta: readonly tf.Tensor[];
  optimizer: OptimizerInfo;
  /** Seed of this step's Monte-Carlo curvature sample, shared by every quantity (the original dedups DiagGGNMC). */
  mcSeed: number;
}

/** Everything a quantity may read at one step. Valid only during track(); tensors are owned by the Cockpit. */
export interface StepData extends StepPlan {
  params: readonly ParamInfo[];
  stats: BatchStats;
  /** L(θ_step) on this step's batch, downloaded once for everyone. */
  loss: number;
  batchSize: number;
  /** H·v for the mean loss on this step's batch (v and the result per parameter). */
  hvp(v: tf.Tensor[]): tf.Tensor[];
  /** A generator seeded by the Cockpit's seed, this step and `label`, so random starts are reproducible. */
  rng(label: string): Rng;
  /** Reports a problem that does not stop training (the original's warnings). */
  warn(message: string): void;
}

/** A single-step quantity: computed at step n when its schedule says so, stored under n. */
export abstract class CockpitQuantity {
  abstract readonly name: QuantityName;

  constructor(readonly schedule: TrackSchedule) {}

  /** Whether track() must run at `step`. */
  isActive(step: number): boolean {
    return this.schedule(step);
  }

  /** What the engine must compute in this step's pass (called only when active). */
  request(_plan: StepPlan): StatsRequest {
    return {};
  }

  /** Computes this step's values (empty when there is nothing to store, like the original's None). */
  abstract track(data: StepData): Promise<QuantityRecord[]>;

  /** Settings worth recording in the run's InstrumentConfig (bins, ranges, curvature, …). */
  options(): Record<string, JsonValue> {
    return {};
  }

  /** Frees tensors cached between steps. */
  dispose(): void {}
}

/**
 * A quantity with a start point and an end point (Distance, UpdateSize, Alpha). The value computed at end step n
 * belongs to step n − saveShift and says so in `forStep`.
 */
export abstract class TwoStepQuantity extends CockpitQuantity {
  abstract readonly saveShift: 0 | 1;
  abstract isStart(step: number): boolean;
  abstract isEnd(step: number): boolean;

  override isActive(step: number): boolean {
    return this.isStart(step) || this.isEnd(step);
  }
}

/** UpdateSize and Alpha: start at a scheduled step n, end at n + 1, stored under n. */
export abstract class NextStepQuantity extends TwoStepQuantity {
  readonly saveShift = 1 as const;
  isStart(step: number): boolean {
    return this.schedule(step);
  }
  isEnd(step: number): boolean {
    return step >= 1 && this.schedule(step - 1);
  }
}
