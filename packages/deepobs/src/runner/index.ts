export * from './types.js';
export { runProblem } from './run-problem.js';
export { epochSchedule } from './lr-schedule.js';
export type { EpochSchedule } from './lr-schedule.js';
export { evaluateSplit } from './evaluate.js';
export type { SplitMetrics } from './evaluate.js';
