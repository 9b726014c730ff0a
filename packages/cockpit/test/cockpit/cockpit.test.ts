import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MemorySink, RunStatus, RunStream, ScheduleKind, type Quantity as QuantityRecord } from '@flightdeck/core';
import { Cockpit } from '../../src/cockpit';
import { CountingThread } from '../../src/engine';
import { readCockpitLogFile } from '../../src/log';
import { Alpha, CABS, GradNorm, InnerTest, Loss, NormTest, OrthoTest, UpdateSize } from '../../src/quantities';
import { linear } from '../../src/schedules';
import { batches, crossEntropy, tinyMlp, weights } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const STEPS = 6;
const LR = 0.1;

async function trainWithCockpit(make: (model: tf.LayersModel) => Cockpit | undefined): Promise<{ theta: number[]; cockpit?: Cockpit }> {
  const model = tinyMlp();
  const cockpit = make(model);
  const optimizer = tf.train.sgd(LR);
  for (const [step, { x, y }] of batches(STEPS).entries()) {
    if (cockpit) await cockpit.trainStep(optimizer, { step, x, y });
    else optimizer.minimize(() => crossEntropy(model.apply(x) as tf.Tensor2D, y));
    tf.dispose([x, y]);
  }
  const theta = await weights(model);
  cockpit?.dispose();
  model.dispose();
  return { theta, cockpit };
}

describe('training with the Cockpit gives the parameters training without it gives', () => {
  test('full preset vs a Cockpit that tracks only the loss: identical parameters after 6 steps', async () => {
    const full = await trainWithCockpit((model) => new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'full', warn: () => {} }));
    const bare = await trainWithCockpit((model) => new Cockpit({ model, loss: 'softmax_cross_entropy', quantities: [new Loss(linear(1))] }));
    expect(full.theta).toEqual(bare.theta);
  });

  test('the Cockpit vs plain tfjs training (optimizer.minimize): the same parameters to float32 rounding', async () => {
    const full = await trainWithCockpit((model) => new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'full', warn: () => {} }));
    const plain = await trainWithCockpit(() => undefined);
    const scale = Math.max(...plain.theta.map(Math.abs));
    plain.theta.forEach((v, i) => expect(Math.abs(full.theta[i] - v)).toBeLessThan(1e-6 * scale));
  });
});

describe('the counting thread', () => {
  test("economy's records are the same with GradHist1d counted on the thread and on the training thread", async () => {
    const count = jest.spyOn(CountingThread.prototype, 'count');
    const economy = (countingThread: boolean) => (model: tf.LayersModel) => new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'economy', countingThread });
    const threaded = await trainWithCockpit(economy(true));
    expect(count).toHaveBeenCalledTimes(STEPS);
    count.mockClear();
    const here = await trainWithCockpit(economy(false));
    expect(count).not.toHaveBeenCalled();
    count.mockRestore();
    const log = threaded.cockpit!.output();
    expect(log.size).toBe(STEPS);
    expect(Object.keys(log.get(0)!)).toContain('GradHist1d');
    expect(log).toEqual(here.cockpit!.output());
  });
});

describe('records', () => {
  test('a run to a sink: RunStarted, StepRecords with forStep for the shifted quantities, RunFinished', async () => {
    const sink = new MemorySink();
    const model = tinyMlp();
    const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'economy', trackSchedule: linear(2), sink, runId: 'r1', optimizer: { lr: LR }, run: { testProblem: 'tiny' } });
    const optimizer = tf.train.sgd(LR);
    for (const [step, { x, y }] of batches(5).entries()) {
      await cockpit.trainStep(optimizer, { step, epoch: 0, x, y });
      tf.dispose([x, y]);
    }
    await cockpit.finish();
    const envs = sink.envelopes;
    expect(envs.map((e) => e.seq)).toEqual(envs.map((_, i) => i));
    expect(envs.every((e) => e.runId === 'r1')).toBe(true);
    const started = envs[0].runStarted!;
    expect(started.testProblem).toBe('tiny');
    expect(started.parameterNames).toEqual(cockpit.parameterNames);
    expect(started.instruments!.preset).toBe('economy');
    expect(started.instruments!.quantities!.map((q) => q.name)).toEqual(['Alpha', 'Distance', 'GradHist1d', 'GradNorm', 'InnerTest', 'Loss', 'NormTest', 'OrthoTest', 'UpdateSize']);
    expect(started.instruments!.quantities![0].schedule).toEqual({ kind: ScheduleKind.LINEAR, interval: 2, offset: 0 });
    expect(envs.at(-1)!.runFinished).toEqual({ status: RunStatus.COMPLETED, message: '', lastStep: 4, lastEpoch: 0 });
    // Tracked at 0, 2, 4; Alpha and UpdateSize of 0 and 2 arrive at 1 and 3 (none for 4: the run ends).
    const steps = envs.filter((e) => e.step).map((e) => e.step!);
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
    const names = (s: { quantities?: QuantityRecord[] | null }) => (s.quantities ?? []).map((q) => q.name);
    expect(names(steps[1]).sort()).toEqual(['Alpha', 'UpdateSize']);
    expect(steps[1].quantities!.every((q) => q.forStep === 0)).toBe(true);
    expect(names(steps[4])).not.toContain('Alpha');
    const gradNorm = steps[0].quantities!.find((q) => q.name === 'GradNorm')!;
    expect(gradNorm.vector!.labels).toEqual(cockpit.parameterNames);
    expect([...cockpit.output().keys()]).toEqual([0, 2, 4]);
    expect(Object.keys(cockpit.output().get(2)!).sort()).toEqual(started.instruments!.quantities!.map((q) => q.name).sort());
    expect(Object.keys(cockpit.output().get(4)!)).not.toContain('UpdateSize');
    model.dispose();
  });

  test('with a shared RunStream the Cockpit writes only its records; log() adds an evaluation; write() is the log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-'));
    try {
      const model = tinyMlp();
      const sink = new MemorySink();
      const stream = new RunStream('shared', sink, { firstSeq: 1 });
      const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', quantities: [new Loss(linear(1)), new GradNorm(linear(1))], stream });
      const [{ x, y }] = batches(1);
      const { grads, record } = await cockpit.step({ step: 0, x, y });
      expect(record!.loss).toBeCloseTo(record!.quantities!.find((q) => q.name === 'Loss')!.scalar!, 12);
      expect(grads.map((g) => g.shape)).toEqual(model.trainableWeights.map((w) => w.shape));
      await cockpit.log({ step: 0, epoch: 0, trainLoss: 1.5, learningRate: 0.1 });
      await cockpit.finish();
      expect(sink.envelopes.map((e) => [e.seq, e.runId, Object.keys(e).find((k) => k === 'step' || k === 'evaluation' || k === 'runStarted' || k === 'runFinished')])).toEqual([
        [1, 'shared', 'step'],
        [2, 'shared', 'evaluation'],
      ]);
      await cockpit.write(join(dir, 'run'));
      const log = await readCockpitLogFile(join(dir, 'run.json'));
      expect(log.get(0)).toEqual(cockpit.output().get(0));
      expect(log.get(0)!.train_loss).toBe(1.5);
      tf.dispose([x, y, ...grads]);
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('quantities through the engine', () => {
  test('NormTest² = InnerTest² + OrthoTest²', async () => {
    const model = tinyMlp(3);
    const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', quantities: [new NormTest(linear(1)), new InnerTest(linear(1)), new OrthoTest(linear(1))] });
    for (const [step, { x, y }] of batches(3, 16, 5).entries()) {
      const { grads, quantities } = await cockpit.step({ step, x, y });
      const [norm, inner, ortho] = quantities.map((q) => q.scalar!);
      expect(Math.abs(norm ** 2 - (inner ** 2 + ortho ** 2))).toBeLessThan(1e-4 * norm ** 2);
      tf.dispose([x, y, ...grads]);
    }
    model.dispose();
  });

  test("Alpha's SGD path and general path agree for plain SGD", async () => {
    const alphas = async (optimizer: () => tf.Optimizer) => {
      const model = tinyMlp();
      const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', quantities: [new Alpha(linear(1)), new UpdateSize(linear(1))], warn: () => {} });
      const opt = optimizer();
      const values: number[] = [];
      for (const [step, { x, y }] of batches(4).entries()) {
        const { quantities } = await cockpit.trainStep(opt, { step, x, y });
        values.push(...quantities.filter((q) => q.name === 'Alpha').map((q) => q.scalar!));
        tf.dispose([x, y]);
      }
      cockpit.dispose();
      model.dispose();
      return values;
    };
    const sgd = await alphas(() => tf.train.sgd(LR));
    // tfjs's momentum optimizer with momentum 0 makes the same step, but is not recognised as plain SGD.
    const general = await alphas(() => tf.train.momentum(LR, 0));
    expect(sgd).toHaveLength(3);
    sgd.forEach((a, i) => expect(Math.abs(general[i] - a)).toBeLessThan(1e-3 * Math.max(1, Math.abs(a))));
  });

  test('CABS refuses an optimizer that is not plain SGD, naming the quantity and step', async () => {
    const model = tinyMlp();
    const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', quantities: [new CABS(linear(1))] });
    const [{ x, y }] = batches(1);
    await expect(cockpit.trainStep(tf.train.adam(0.01), { step: 0, x, y })).rejects.toThrow(/CABS at step 0: needs plain SGD .* Adam/);
    tf.dispose([x, y]);
    model.dispose();
  });

  test('bad input: steps must increase; a NaN loss skips the quantities with a warning', async () => {
    const warnings: string[] = [];
    const model = tinyMlp();
    const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'economy', warn: (m) => warnings.push(m) });
    const [{ x, y }] = batches(1);
    const nan = tf.fill([8, 6], NaN);
    const result = await cockpit.step({ step: 0, x: nan, y });
    expect(result.loss).toBeNaN();
    expect(result.quantities).toEqual([]);
    expect(warnings.join()).toMatch(/step 0: the loss is NaN/);
    await expect(cockpit.step({ step: 0, x, y })).rejects.toThrow(/step 0 comes after step 0/);
    tf.dispose([x, y, nan, ...result.grads]);
    model.dispose();
  });
});

test('no tensor leaks over steps with the full preset', async () => {
  const model = tinyMlp();
  const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'full', warn: () => {} });
  const optimizer = tf.train.sgd(LR);
  const data = batches(4);
  await cockpit.trainStep(optimizer, { step: 0, ...data[0] });
  const after1 = tf.memory().numTensors;
  for (let step = 1; step < 4; step++) await cockpit.trainStep(optimizer, { step, ...data[step] });
  expect(tf.memory().numTensors).toBe(after1);
  cockpit.dispose();
  tf.dispose(data.flatMap((b) => [b.x, b.y]));
  model.dispose();
});

test("a preset's curvature option reaches TICDiag and HessTrace, whose values then come from the Monte-Carlo GGN", async () => {
  const values = async (curvature?: 'diag_ggn_mc') => {
    const model = tinyMlp();
    const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'business', curvature, warn: () => {} });
    const { x, y } = batches(1)[0]!;
    const { quantities } = await cockpit.step({ step: 0, x, y });
    const config = cockpit.instrumentConfig().quantities!.find((q) => q.name === 'HessTrace');
    cockpit.dispose();
    model.dispose();
    return { config: JSON.stringify(config), trace: quantities.find((q) => q.name === 'HessTrace')!.vector!.values! };
  };
  const [exact, sampled] = [await values(), await values('diag_ggn_mc')];
  expect(exact.config).toContain('diag_h');
  expect(sampled.config).toContain('diag_ggn_mc');
  expect(sampled.trace).toHaveLength(exact.trace.length);
  expect(sampled.trace.some((v, i) => Math.abs(v - exact.trace[i]!) > 1e-6 * Math.abs(exact.trace[i]!))).toBe(true);
});
