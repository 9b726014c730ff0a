// quadratic_deep against the original DeepOBS 1.1 baseline files (TensorFlow): with DeepOBS's data and training order
// (trainOrder 'fixed') and each baseline's re-run setting and seeds (42–51), the mean of our test losses after 5
// epochs lies within the spread (min to max) of the ten baseline seeds at that epoch. Our permutations are not
// TensorFlow's, so seeds are not paired. The full 100-epoch comparison is bench/deepobs-quadratic.ts (RESULTS.md).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySink, readResultFile, selectBackend, type DeepobsResult } from '@flightdeck/core';
import { runProblem, type RunSpec } from '../../src/runner/index.js';
import { BASELINES } from '../analyzer/baselines.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const EPOCHS = 5;

/** The results of the ten seeds of a baseline setting folder. */
async function baselineRuns(folder: string): Promise<DeepobsResult[]> {
  const dir = join(BASELINES, 'quadratic_deep', folder);
  const results = [];
  for (const f of readdirSync(dir)) {
    const read = await readResultFile(join(dir, f));
    if (!read.ok) throw read.error;
    results.push(read.result);
  }
  return results;
}

type Hyperparams = DeepobsResult['hyperparams'];

// TensorFlow's optimizer and hyperparameter names → ours, as in bench/deepobs-quadratic.ts.
test.each([
  ['GradientDescentOptimizer/num_epochs__100__batch_size__128__lr__1.5848931925e-02', (h: Hyperparams) => ({ optimizer: 'SGD', hyperparameters: { lr: h.learning_rate as number } })],
  [
    'MomentumOptimizer/num_epochs__100__batch_size__128__momentum__9.9e-01__use_nesterov__False__lr__2.5118864315e-03',
    (h: Hyperparams) => ({ optimizer: 'Momentum', hyperparameters: { lr: h.learning_rate as number, momentum: h.momentum as number } }),
  ],
  [
    'AdamOptimizer/num_epochs__100__batch_size__128__beta1__9.e-01__beta2__9.99e-01__epsilon__1.e-08__lr__3.9810717055e-02',
    (h: Hyperparams) => ({ optimizer: 'Adam', hyperparameters: { lr: h.learning_rate as number, beta1: h.beta1 as number, beta2: h.beta2 as number, epsilon: h.epsilon as number } }),
  ],
])('%s: our mean test loss after 5 epochs within the ten seeds of TensorFlow', async (folder, settings) => {
  const runs = await baselineRuns(folder);
  expect(runs).toHaveLength(10);
  const theirs = runs.map((r) => r.metrics.test_losses![EPOCHS]);
  const ours = [];
  for (const seed of runs.map((r) => r.randomSeed)) {
    const spec: RunSpec = {
      problem: 'quadratic_deep',
      ...settings(runs[0].hyperparams),
      batchSize: runs[0].batchSize,
      numEpochs: EPOCHS,
      seed,
      trainLogInterval: 100,
      data: { trainOrder: 'fixed' },
    };
    ours.push((await runProblem(spec, new MemorySink())).result.metrics.test_losses![EPOCHS]);
  }
  const mean = ours.reduce((a, b) => a + b, 0) / ours.length;
  expect(mean).toBeGreaterThanOrEqual(Math.min(...theirs));
  expect(mean).toBeLessThanOrEqual(Math.max(...theirs));
});
