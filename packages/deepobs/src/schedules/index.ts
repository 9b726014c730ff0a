// Learning-rate schedules by name, and their encoding in DeepOBS 1.2 output JSON.
import { cosine, cosineWithRestarts, longTrapezoidal, none } from './definitions.js';
import type { LrScheduleSpec } from './types.js';

export type { LrScheduleSpec } from './types.js';
export { RESTART_FIRST_CYCLE, trapezoidRamp } from './definitions.js';

/** The Crowded Valley schedules by their result-folder names. */
export const LR_SCHEDULES: Readonly<Record<string, LrScheduleSpec>> = Object.freeze({
  none,
  cosine,
  cosine_wr: cosineWithRestarts,
  ltr: longTrapezoidal,
});

/** Other names users write for the same schedules. */
const ALIASES: Record<string, string> = { trapezoidal: 'ltr', long_trapezoidal: 'ltr', constant: 'none' };

/** The schedule called `name` (or an alias such as "trapezoidal"), or an error listing the known names. */
export function getLrSchedule(name: string): LrScheduleSpec {
  const spec = LR_SCHEDULES[ALIASES[name] ?? name];
  if (!spec) throw new Error(`unknown learning-rate schedule "${name}"; known: ${Object.keys(LR_SCHEDULES).join(', ')}`);
  return spec;
}

/**
 * The schedule as DeepOBS's LearningRateScheduleRunner records it in `training_params`: factors for epochs 1..N
 * (what Crowded Valley wrote); `{}` for "none", which runs under the standard runner.
 */
export function lrScheduleTrainingParams(
  schedule: LrScheduleSpec,
  numEpochs: number,
): { lr_sched_epochs?: number[]; lr_sched_factors?: number[] } {
  if (schedule.name === 'none') return {};
  const epochs = Array.from({ length: numEpochs }, (_, i) => i + 1);
  return { lr_sched_epochs: epochs, lr_sched_factors: epochs.map((e) => schedule.factor(e, numEpochs)) };
}
