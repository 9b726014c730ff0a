import { selectBackend } from '@flightdeck/core';
import { estimateRuntime, type RuntimeOptions } from '../../src/analyzer/index.js';

describe('estimate-runtime', () => {
  it('alternates SGD and the optimizer and divides each run by the SGD run beside it', async () => {
    const calls: string[] = [];
    const times = [2, 3, 4, 5, 1, 4];
    const est = await estimateRuntime({ optimizer: 'Adam', hyperparameters: { lr: 1e-3 }, runs: 3, problem: 'two_d_beale', numEpochs: 1 }, async (spec) => {
      calls.push(`${spec.optimizer}:${JSON.stringify(spec.hyperparameters)}:${spec.problem}:${spec.numEpochs}`);
      return times[calls.length - 1];
    });
    expect(calls).toEqual([0, 1, 2].flatMap(() => ['SGD:{"lr":0.01}:two_d_beale:1', 'Adam:{"lr":0.001}:two_d_beale:1']));
    expect(est.ratios).toEqual([1.5, 1.25, 4]);
    expect(est.mean).toBeCloseTo(6.75 / 3, 14);
    const m = 6.75 / 3;
    expect(est.std).toBeCloseTo(Math.sqrt(((1.5 - m) ** 2 + (1.25 - m) ** 2 + (4 - m) ** 2) / 3), 14);
  });

  it('times real runs of a 2-D problem in process', async () => {
    await selectBackend('cpu');
    const o: RuntimeOptions = { optimizer: 'Momentum', problem: 'two_d_rosenbrock', numEpochs: 1, batchSize: 1000, runs: 2 };
    const est = await estimateRuntime(o);
    expect(est.sgdSeconds).toHaveLength(2);
    expect(est.ratios.every((r) => Number.isFinite(r) && r > 0)).toBe(true);
  });

  it('rejects a bad run count', async () => {
    await expect(estimateRuntime({ optimizer: 'Adam', runs: 0 })).rejects.toThrow(/runs must be a positive integer, got 0/);
  });
});
