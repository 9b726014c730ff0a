// The runner's protocol: N+1 evaluations, mini-batch losses every train_log_interval steps of each epoch, the
// envelopes it streams, reproducibility under a seed, the JSON it writes, learning-rate schedules and divergence.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { formatResult, MemorySink, RunStatus, selectBackend, type Envelope } from '@flightdeck/core';
import { NumpyRandomState } from '../../src/data/index.js';
import { quadraticHessian } from '../../src/problems/index.js';
import { runProblem, type RunSpec } from '../../src/runner/index.js';

let out: string;
beforeAll(async () => {
  await selectBackend('wasm');
  out = mkdtempSync(join(tmpdir(), 'deepobs-runner-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const quadratic: RunSpec = { problem: 'quadratic_deep', optimizer: 'SGD', hyperparameters: { lr: 0.01 }, numEpochs: 3, batchSize: 100, trainLogInterval: 3, seed: 7 };
const kinds = (envs: Envelope[]) => envs.map((e) => Object.keys(e).find((k) => ['runStarted', 'step', 'evaluation', 'runFinished'].includes(k)));

test('quadratic_deep: protocol, envelopes and the DeepOBS 1.2 file', async () => {
  const sink = new MemorySink();
  const onStep = jest.fn();
  const outcome = await runProblem({ ...quadratic, outputDir: out }, sink, { onStep });
  const envs = sink.envelopes;
  expect(envs.map((e) => e.seq)).toEqual(envs.map((_, i) => i));
  expect(new Set(envs.map((e) => e.runId))).toEqual(new Set([outcome.runId]));
  const started = envs[0].runStarted!;
  expect(started).toMatchObject({ testProblem: 'quadratic_deep', optimizer: 'GradientDescentOptimizer', seed: 7, batchSize: 100, numEpochs: 3, framework: 'tfjs', backend: 'wasm', trainLogInterval: 3, parameterNames: ['theta'] });
  expect(started.hyperparameters!.lr).toEqual({ number: 0.01 });
  expect(kinds(envs).at(-1)).toBe('runFinished');
  expect(envs.at(-1)!.runFinished!.status).toBe(RunStatus.COMPLETED);
  // 1000 training examples at batch size 100 → 10 steps per epoch; losses logged at steps 0, 3, 6, 9 of each.
  const steps = envs.filter((e) => e.step).map((e) => [e.step!.epoch, e.step!.step]);
  expect(steps).toEqual([0, 1, 2].flatMap((ep) => [0, 3, 6, 9].map((s) => [ep, ep * 10 + s])));
  expect(onStep).toHaveBeenCalledTimes(30);
  expect(onStep.mock.calls.at(-1)![0]).toMatchObject({ epoch: 2, step: 29, stepInEpoch: 10, stepsPerEpoch: 10, etaMs: 0 });
  const evaluations = envs.filter((e) => e.evaluation).map((e) => e.evaluation!);
  expect(evaluations.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
  expect(evaluations.map((e) => e.step)).toEqual([0, 10, 20, 30]);

  const r = outcome.result;
  expect(r.metrics.train_losses).toHaveLength(4);
  expect(r.metrics.valid_losses).toHaveLength(4);
  expect(r.metrics.test_losses).toHaveLength(4);
  expect(r.metrics.test_accuracies).toBeUndefined();
  expect(r.minibatchTrainLosses).toHaveLength(12);
  // SGD on a convex quadratic with a stable step size: the test loss goes down every epoch.
  const test = r.metrics.test_losses!;
  for (let e = 1; e < test.length; e++) expect(test[e]).toBeLessThan(test[e - 1]);
  // Epoch 0 evaluates the untrained θ = 1 on the 1,000 test draws (numpy RandomState(43), σ 0.6, as DeepOBS; the
  // draws themselves are checked against numpy in data/quadratic-data.test.ts): mean ½(1−x)ᵀQ(1−x).
  const Q = quadraticHessian();
  const draws = new NumpyRandomState(43);
  let expected = 0;
  for (let n = 0; n < 1000; n++) {
    const d = Array.from(draws.normal(0, 0.6, 100), (x) => 1 - Math.fround(x));
    for (let i = 0; i < 100; i++) for (let j = 0; j < 100; j++) expected += 0.5 * d[i] * Q[i * 100 + j] * d[j];
  }
  expect(test[0] / (expected / 1000)).toBeCloseTo(1, 5);

  const parts = relative(out, outcome.resultPath!).split(sep);
  expect(parts.slice(0, 3)).toEqual(['quadratic_deep', 'GradientDescentOptimizer', 'num_epochs__3__batch_size__100__lr__1.e-02']);
  expect(parts[3]).toMatch(/^random_seed__7__\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.json$/);
  const json = JSON.parse(readFileSync(outcome.resultPath!, 'utf8'));
  expect(json).toMatchObject({ testproblem: 'quadratic_deep', batch_size: 100, num_epochs: 3, random_seed: 7, weight_decay: null, optimizer_name: 'GradientDescentOptimizer', optimizer_hyperparams: { lr: 0.01 }, training_params: {} });
  expect(json.test_losses).toEqual(test);
});

test('a seeded run is reproducible: same seed, same JSON; another seed, another run', async () => {
  const spec: RunSpec = { problem: 'mnist_mlp', optimizer: 'Adam', hyperparameters: { lr: 1e-3 }, numEpochs: 2, batchSize: 8, trainLogInterval: 1, data: { synthetic: true, syntheticSize: 32 } };
  const a = await runProblem({ ...spec, seed: 3 }, new MemorySink());
  const b = await runProblem({ ...spec, seed: 3 }, new MemorySink());
  const c = await runProblem({ ...spec, seed: 4 }, new MemorySink());
  expect(formatResult(a.result)).toBe(formatResult(b.result));
  expect(a.result.minibatchTrainLosses).toHaveLength(8);
  expect(formatResult(c.result)).not.toBe(formatResult(a.result));
});

test('problems with dropout and carried state are reproducible too (seeded masks)', async () => {
  const spec: RunSpec = { problem: 'tolstoi_char_rnn', optimizer: 'SGD', hyperparameters: { lr: 0.5 }, numEpochs: 1, batchSize: 2, trainLogInterval: 1, data: { synthetic: true, syntheticSize: 500 } };
  const a = await runProblem({ ...spec, seed: 5 }, new MemorySink());
  const b = await runProblem({ ...spec, seed: 5 }, new MemorySink());
  const c = await runProblem({ ...spec, seed: 6 }, new MemorySink());
  expect(formatResult(a.result)).toBe(formatResult(b.result));
  expect(a.result.minibatchTrainLosses).toHaveLength(4);
  expect(c.result.minibatchTrainLosses).not.toEqual(a.result.minibatchTrainLosses);
});

test('divergence: a NaN loss stops the run, is recorded, and the curves are padded with epoch 0', async () => {
  const sink = new MemorySink();
  const outcome = await runProblem({ problem: 'two_d_rosenbrock', optimizer: 'SGD', hyperparameters: { lr: 1 }, numEpochs: 4, batchSize: 1000, trainLogInterval: 5 }, sink);
  expect(outcome.status).toBe('diverged');
  const finished = sink.envelopes.at(-1)!.runFinished!;
  expect(finished.status).toBe(RunStatus.DIVERGED);
  expect(finished.message).toMatch(/became (NaN|Infinity|-Infinity) at step \d+ \(epoch 0\)/);
  const steps = sink.envelopes.filter((e) => e.step);
  expect(Number.isFinite(steps.at(-1)!.step!.loss!)).toBe(false);
  const r = outcome.result;
  expect(sink.envelopes.filter((e) => e.evaluation)).toHaveLength(1);
  for (const m of ['train_losses', 'valid_losses', 'test_losses'] as const) expect(r.metrics[m]).toEqual(Array(5).fill(r.metrics[m]![0]));
  // The untrained test loss of the 2-D problems is f(u0, v0) (the test noise is zero): Rosenbrock at (−0.5, 1.5).
  expect(r.metrics.test_losses![0]).toBeCloseTo(1.5 ** 2 + 100 * (1.5 - 0.25) ** 2, 3);
});

test('learning-rate schedules: DeepOBS lr_sched_epochs/factors and a named Crowded Valley schedule', async () => {
  const base: RunSpec = { ...quadratic, numEpochs: 4 };
  const stepSink = new MemorySink();
  const stepRun = await runProblem({ ...base, lrSchedEpochs: [1, 3], lrSchedFactors: [0.1, 0.01] }, stepSink);
  const lrs = (sink: MemorySink) => sink.envelopes.filter((e) => e.evaluation).map((e) => e.evaluation!.learningRate);
  const expected = [0.01, 0.001, 0.001, 0.0001, undefined];
  lrs(stepSink).forEach((lr, i) => (expected[i] === undefined ? expect(lr).toBeUndefined() : expect(lr).toBeCloseTo(expected[i]!, 12)));
  expect(stepRun.result.trainingParams).toEqual({ lr_sched_epochs: [1, 3], lr_sched_factors: [0.1, 0.01] });
  expect(stepSink.envelopes[0].runStarted!.lrSchedule).toMatchObject({ name: 'step', baseLr: 0.01, epochs: [1, 3], factors: [0.1, 0.01] });

  const cosSink = new MemorySink();
  const cosRun = await runProblem({ ...base, lrSchedule: 'cosine' }, cosSink);
  const cosine = (e: number) => (e === 0 ? 1 : 0.5 * (1 + Math.cos((Math.PI * e) / 4)));
  lrs(cosSink).slice(0, 4).forEach((lr, e) => expect(lr).toBeCloseTo(0.01 * cosine(e), 12));
  expect(cosRun.result.trainingParams.lr_sched_epochs).toEqual([1, 2, 3, 4]);
  expect(cosSink.envelopes[0].runStarted!.lrSchedule!.name).toBe('cosine');
});

test('a run leaves no tensors behind', async () => {
  const before = tf.memory().numTensors;
  await runProblem({ ...quadratic, numEpochs: 1 }, new MemorySink());
  await runProblem({ problem: 'tolstoi_char_rnn', optimizer: 'Adam', numEpochs: 1, batchSize: 2, data: { synthetic: true, syntheticSize: 500 } }, new MemorySink());
  expect(tf.memory().numTensors).toBe(before);
});

test('bad specs are clear errors before anything runs', async () => {
  const sink = new MemorySink();
  await expect(runProblem({ ...quadratic, problem: 'mnist_resnet' }, sink)).rejects.toThrow(/unknown test problem "mnist_resnet"/);
  await expect(runProblem({ ...quadratic, optimizer: 'Adamm' }, sink)).rejects.toThrow(/Adamm/);
  await expect(runProblem({ ...quadratic, batchSize: 0 }, sink)).rejects.toThrow(/batch size must be a positive integer/);
  await expect(runProblem({ ...quadratic, lrSchedEpochs: [2], lrSchedFactors: [] }, sink)).rejects.toThrow(/same length/);
  await expect(runProblem({ ...quadratic, lrSchedule: 'zigzag' }, sink)).rejects.toThrow(/unknown learning-rate schedule "zigzag"/);
  await expect(runProblem({ ...quadratic, batchSize: 5000 }, sink)).rejects.toThrow(/train split of quadratic \(generated\) has less than one batch of 5000/);
  const tiny: RunSpec = { problem: 'tolstoi_char_rnn', optimizer: 'SGD', batchSize: 2, data: { synthetic: true, syntheticSize: 300 } };
  await expect(runProblem(tiny, sink)).rejects.toThrow(/train_eval split of tolstoi \(synthetic\) has less than one batch of 2/);
  expect(sink.envelopes).toHaveLength(0);
});
