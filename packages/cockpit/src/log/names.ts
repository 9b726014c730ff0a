// What the original Cockpit writes under each key of a log step, and how our records carry it.
import type { EvaluationRecord } from '@flightdeck/core';

/**
 * Two-step quantities with SAVE_SHIFT = 1: computed at step t+1 and stored under t. In our stream they travel in
 * the record of step t+1 with `forStep = t` (Distance is two-step too, but stored at the step that computes it).
 */
export const SHIFTED_QUANTITIES: readonly string[] = ['Alpha', 'UpdateSize'];

/** The keys `Cockpit.log()` writes, and the EvaluationRecord field each one maps to. */
export const LOG_KEYS = {
  train_loss: 'trainLoss',
  valid_loss: 'validLoss',
  test_loss: 'testLoss',
  train_accuracy: 'trainAccuracy',
  valid_accuracy: 'validAccuracy',
  test_accuracy: 'testAccuracy',
  learning_rate: 'learningRate',
} as const satisfies Record<string, keyof EvaluationRecord>;
export const EPOCH_KEY = 'epoch_count';

export function isLogKey(key: string): boolean {
  return key === EPOCH_KEY || key in LOG_KEYS;
}
