import { CLASSIFIER_PROBLEMS } from './classifiers.js';
import { TOLSTOI_CHAR_RNN } from './char-rnn.js';
import { QUADRATIC_DEEP, TWO_D_PROBLEMS } from './noisy-functions.js';
import { VAE_PROBLEMS } from './vae.js';
import { SVHN_WRN164 } from './wrn.js';
import type { TestProblem } from './types.js';

/** Every test problem, by DeepOBS name. */
export const TEST_PROBLEMS: ReadonlyMap<string, TestProblem> = new Map(
  [...TWO_D_PROBLEMS, QUADRATIC_DEEP, ...CLASSIFIER_PROBLEMS, ...VAE_PROBLEMS, SVHN_WRN164, TOLSTOI_CHAR_RNN].map((p) => [p.name, p]),
);

export function getTestProblem(name: string): TestProblem {
  const problem = TEST_PROBLEMS.get(name);
  if (!problem) throw new Error(`unknown test problem "${name}"; known: ${[...TEST_PROBLEMS.keys()].join(', ')}`);
  return problem;
}
