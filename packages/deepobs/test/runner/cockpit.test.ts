// --cockpit: the runner hands the problem's layer chain to Cockpit, whose StepRecords join the run's stream, and
// training follows the same path as without it (the L2 term added back to Cockpit's data-loss gradient).
import { MemorySink, selectBackend, type Envelope } from '@flightdeck/core';
import { quadraticHessian } from '../../src/problems/index.js';
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

test('full preset on quadratic_deep: the curvature instruments read the known Hessian', async () => {
  const quadratic: RunSpec = { ...spec, problem: 'quadratic_deep', data: {}, batchSize: 100, numEpochs: 1, cockpit: 'full' };
  const plain = await runProblem({ ...quadratic, cockpit: undefined }, new MemorySink());
  const sink = new MemorySink();
  const watched = await runProblem(quadratic, sink);
  watched.result.metrics.test_losses!.forEach((v, i) => expect(v).toBeCloseTo(plain.result.metrics.test_losses![i], 3));
  const quantities = sink.envelopes.flatMap((e: Envelope) => e.step?.quantities ?? []);
  // A scalar, or (HessTrace: one per parameter) their sum.
  const values = (name: string) => quantities.filter((q) => q.name === name && !q.param).map((q) => q.scalar ?? q.vector!.values!.reduce((a, b) => a + b));
  // The loss is a quadratic: its Hessian is Q at every θ, so HessTrace = tr Q and HessMaxEV = λ_max(Q) at every step.
  const Q = quadraticHessian();
  const trace = Array.from({ length: 100 }, (_, i) => Q[i * 101]).reduce((a, b) => a + b);
  expect(values('HessTrace').length).toBeGreaterThan(0);
  for (const v of values('HessTrace')) expect(v).toBeCloseTo(trace, 0);
  const maxEv = largestEigenvalue(Q, 100);
  expect(values('HessMaxEV').length).toBeGreaterThan(0);
  // Q's two largest eigenvalues are 0.6 % apart, which the original's stopping rule (relative change below 1e-3)
  // does not resolve: the estimate is a Rayleigh quotient, at most λ_max and within 1 % of it.
  for (const v of values('HessMaxEV')) {
    expect(v).toBeLessThanOrEqual(maxEv * (1 + 1e-5));
    expect((maxEv - v) / maxEv).toBeLessThan(1e-2);
  }
});

/** Power iteration in float64 to convergence (Q is positive definite, so the largest eigenvalue is the dominant one). */
function largestEigenvalue(q: Float32Array, n: number): number {
  let v = new Float64Array(n).fill(1);
  let lambda = 0;
  for (let it = 0; it < 5000; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i] += q[i * n + j] * v[j];
    const norm = Math.hypot(...w);
    lambda = w.reduce((s, x, i) => s + x * v[i], 0);
    v = w.map((x) => x / norm);
  }
  return lambda;
}

test('a problem Cockpit cannot instrument is refused before the run starts', async () => {
  const sink = new MemorySink();
  await expect(runProblem({ ...spec, problem: 'two_d_beale', cockpit: 'economy', batchSize: 100 }, sink)).rejects.toThrow(/two_d_beale cannot be watched by Cockpit/);
  expect(sink.envelopes).toHaveLength(0);
});
