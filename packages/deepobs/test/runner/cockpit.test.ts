// --cockpit: the runner hands the problem's layer chain to Cockpit, whose StepRecords join the run's stream, and
// training follows the same path as without it (the L2 term added back to Cockpit's data-loss gradient).
import { MemorySink, selectBackend, type Envelope } from '@flightdeck/core';
import { runProblem, type RunSpec } from '../../src/runner/index.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

const spec: RunSpec = {
  problem: 'cifar10_3c3d',
  optimizer: 'SGD',
  hyperparameters: { lr: 0.01 },
  numEpochs: 1,
  batchSize: 4,
  trainLogInterval: 1,
  seed: 3,
  data: { synthetic: true, syntheticSize: 16 },
};

test('economy preset on cifar10_3c3d (L2 0.002): quantities in the stream, same training as without Cockpit', async () => {
  const plain = await runProblem(spec, new MemorySink());
  const sink = new MemorySink();
  const watched = await runProblem({ ...spec, cockpit: 'economy' }, sink);
  const started = sink.envelopes[0].runStarted!;
  expect(started.instruments!.preset).toBe('economy');
  expect(started.instruments!.quantities!.length).toBeGreaterThan(0);
  const steps = sink.envelopes.filter((e: Envelope) => e.step).map((e) => e.step!);
  expect(steps.some((s) => (s.quantities ?? []).length > 0)).toBe(true);
  expect(new Set(steps.map((s) => s.step)).size).toBe(steps.length);
  // Same seed, same data, same update: the curves agree to float32 accuracy (Cockpit's dropout-free pass and the
  // plain pass compute the same loss and gradient).
  const a = plain.result.metrics.test_losses!;
  const b = watched.result.metrics.test_losses!;
  b.forEach((v, i) => expect(v).toBeCloseTo(a[i], 4));
  const ma = plain.result.minibatchTrainLosses!;
  const mb = watched.result.minibatchTrainLosses!;
  expect(mb).toHaveLength(ma.length);
});

test('a problem Cockpit cannot instrument is refused before the run starts', async () => {
  const sink = new MemorySink();
  await expect(runProblem({ ...spec, problem: 'quadratic_deep', cockpit: 'economy', batchSize: 100 }, sink)).rejects.toThrow(/quadratic_deep cannot be watched by Cockpit/);
  expect(sink.envelopes).toHaveLength(0);
});
