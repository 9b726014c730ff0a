import type { LearningRateSchedule } from '@flightdeck/core';
import type { JsonValue } from '@flightdeck/core';
import { getLrSchedule, lrScheduleTrainingParams } from '../schedules/index.js';
import type { RunSpec } from './types.js';

/** The learning-rate factor per epoch of a run, with how RunStarted and the DeepOBS JSON describe it. */
export interface EpochSchedule {
  factor(epoch: number): number;
  /** For RunStarted.lrSchedule; absent for a constant learning rate. */
  record?: LearningRateSchedule;
  /** DeepOBS 1.2 training_params. */
  trainingParams: Record<string, JsonValue>;
}

/**
 * A named schedule (Crowded Valley) or DeepOBS's lr_sched_epochs/factors: from epoch e_k on the factor is f_k,
 * 1 before the first milestone.
 */
export function epochSchedule(spec: RunSpec, baseLr: number, numEpochs: number): EpochSchedule {
  const { lrSchedEpochs: epochs, lrSchedFactors: factors } = spec;
  if (epochs || factors) {
    if (spec.lrSchedule && spec.lrSchedule !== 'none') throw new Error('give either --lr-schedule or --lr-sched-epochs/--lr-sched-factors, not both');
    if (!epochs || !factors || epochs.length !== factors.length || epochs.length === 0) {
      throw new Error(`lr_sched_epochs and lr_sched_factors must be given together with the same length (got ${epochs?.length ?? 0} and ${factors?.length ?? 0})`);
    }
    epochs.forEach((e, i) => {
      if (!Number.isInteger(e) || e < 0) throw new Error(`lr_sched_epochs[${i}] must be a non-negative integer, got ${e}`);
      if (i > 0 && e <= epochs[i - 1]) throw new Error(`lr_sched_epochs must increase (${epochs[i - 1]} then ${e})`);
    });
    factors.forEach((f, i) => {
      if (!Number.isFinite(f) || f < 0) throw new Error(`lr_sched_factors[${i}] must be a finite non-negative number, got ${f}`);
    });
    return {
      factor: (epoch) => {
        let f = 1;
        epochs.forEach((e, i) => (epoch >= e ? (f = factors[i]) : undefined));
        return f;
      },
      record: { name: 'step', baseLr, epochs, factors, params: {} },
      trainingParams: { lr_sched_epochs: epochs, lr_sched_factors: factors },
    };
  }
  const schedule = getLrSchedule(spec.lrSchedule ?? 'none');
  if (schedule.name === 'none') return { factor: () => 1, trainingParams: {} };
  return {
    factor: (epoch) => schedule.factor(epoch, numEpochs),
    record: { name: schedule.name, baseLr, epochs: [], factors: [], params: {} },
    trainingParams: lrScheduleTrainingParams(schedule, numEpochs),
  };
}
