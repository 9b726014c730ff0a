// Every deterministic quantity of the golden runs, fed with statistics computed from the golden per-sample
// gradients (no engine involved): checks the quantities' formulas, schedules, save shifts and bin adaptation
// against the original Cockpit's output. HessMaxEV and the Monte-Carlo run need the engine: test/golden.
import * as tf from '@tensorflow/tfjs';
import type { StepRecord } from '@flightdeck/core';
import { recordsToCockpitLog } from '../../src/log';
import { planStep, trackStep } from '../../src/cockpit/step-plan';
import { compareStep } from '../golden/compare';
import { PROBLEMS, loadGolden, perSampleRows, type RunName } from '../golden/golden';
import { runQuantities } from '../golden/runs';
import { goldenParams, goldenPlan, goldenStats, goldenStepData, goldenTheta } from './golden-stats';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const REPLAYED: RunName[] = ['full', 'extras', 'ggn_exact'];

describe.each(PROBLEMS)('golden replay %s', (name) => {
  test.each(REPLAYED)('run %s: every quantity at every step', async (run) => {
    const problem = loadGolden(name);
    const params = goldenParams(problem);
    const quantities = runQuantities(run).filter((q) => q.name !== 'HessMaxEV');
    const records: StepRecord[] = [];
    const before = tf.memory().numTensors;
    for (const step of problem.steps) {
      const theta = goldenTheta(step);
      const plan = goldenPlan(step.global_step, theta, { kind: 'sgd', lr: problem.optimizer.lr });
      const { active, request } = planStep(quantities, plan);
      const stats = await goldenStats(step, params, request);
      const quantitiesOut = await trackStep(active, goldenStepData(plan, params, stats, step.loss));
      stats.dispose();
      theta.forEach((t) => t.dispose());
      records.push({ step: step.global_step, quantities: quantitiesOut });
    }
    quantities.forEach((q) => q.dispose());
    expect(tf.memory().numTensors).toBe(before);

    const log = recordsToCockpitLog(records.map((step) => ({ step })));
    const moved: string[] = [];
    for (const step of problem.steps) {
      const ctx = {
        where: `${name} ${run} step ${step.global_step}`,
        perSample: perSampleRows(step),
        theta: step.params_before.flatMap((p) => p.values),
        params: step.params_before,
      };
      moved.push(...compareStep(log.get(step.global_step), step.cockpit[run], ctx, ['HessMaxEV']));
      // Nothing beyond what the original stored (no Alpha/UpdateSize at the last step).
      expect(Object.keys(log.get(step.global_step) ?? {}).sort()).toEqual(Object.keys(step.cockpit[run]).filter((k) => k !== 'HessMaxEV').sort());
    }
    // Entries at a bin edge are named here; in the float64 replay none is expected to move.
    expect(moved).toEqual([]);
  });
});
