// The Cockpit end to end against the original: each golden problem rebuilt in tfjs from its description, the 4
// steps replayed with SGD lr 0.05 through Cockpit.trainStep (engine included), every quantity of every run
// compared with the original's output (golden README tolerances for float32).
import * as tf from '@tensorflow/tfjs';
import { Cockpit } from '../../src/cockpit';
import { PROBLEMS, loadGolden, perSampleRows, type GoldenProblem, type ProblemName, type RunName } from './golden';
import { compareStep, expectClose } from './compare';
import { batchTensors, buildProblem, setParameters, toGoldenOrder, type TfjsProblem } from './problem';
import { runQuantities } from './runs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

interface Replay {
  golden: GoldenProblem;
  problem: TfjsProblem;
  cockpit: Cockpit;
}

/** Trains the golden trajectory with a Cockpit running `run`, checking θ_t against the golden θ_t on the way. */
async function replay(name: ProblemName, run: RunName, seed = 0): Promise<Replay> {
  const golden = loadGolden(name);
  const problem = buildProblem(golden);
  setParameters(problem, golden.initial_parameters);
  const lr = golden.optimizer.lr;
  const cockpit = new Cockpit({ model: problem.model, loss: problem.loss, quantities: runQuantities(run), seed, warn: () => {} });
  const optimizer = tf.train.sgd(lr);
  for (const step of golden.steps) {
    const theta = (await Promise.all(problem.model.trainableWeights.map(async (w, k) => toGoldenOrder(problem, k, await w.read().data())))).flat();
    const expected = step.params_before.flatMap((p) => p.values);
    expected.forEach((v, j) => expectClose(theta[j], v, 1e-5, 1e-6, `${name} θ_${step.global_step}[${j}]`));
    const { x, y } = batchTensors(step.batch);
    await cockpit.trainStep(optimizer, { step: step.global_step, x, y });
    tf.dispose([x, y]);
  }
  optimizer.dispose();
  return { golden, problem, cockpit };
}

function contexts({ golden, problem }: Replay, run: RunName) {
  return golden.steps.map((step) => ({
    where: `${golden.problem} ${run} step ${step.global_step}`,
    perSample: perSampleRows(step),
    theta: step.params_before.flatMap((p) => p.values),
    params: step.params_before,
    parametersToGolden: (ours: unknown) => (ours as unknown[]).map((p, k) => toGoldenOrder(problem, k, [p].flat(Infinity) as number[])),
  }));
}

function finish(r: Replay): void {
  r.cockpit.dispose();
  r.problem.model.dispose();
}

describe.each(PROBLEMS)('golden %s', (name) => {
  test.each(['full', 'extras', 'ggn_exact'] as const)('run %s: every quantity at every step', async (run) => {
    const r = await replay(name, run);
    const log = r.cockpit.output();
    const moved: string[] = [];
    contexts(r, run).forEach((ctx, t) => {
      const step = r.golden.steps[t];
      moved.push(...compareStep(log.get(t), step.cockpit[run], ctx, ['HessMaxEV']));
      expect(Object.keys(log.get(t) ?? {}).sort()).toEqual(Object.keys(step.cockpit[run]).sort());
      if (run === 'full') {
        // Power iteration from a random start: against the exact λ_max (here also the largest |λ|).
        expectClose(log.get(t)!.HessMaxEV as number, step.brute_force.hessian_max_eigenvalue, 1e-2, 0, `${ctx.where} HessMaxEV`);
      }
      if (run === 'extras') {
        expectClose(log.get(t)!.HessMaxEV as number, step.brute_force.hessian_max_eigenvalue, 1e-4, 1e-6, `${ctx.where} HessMaxEV (Lanczos)`);
      }
    });
    // Entries within float32 rounding of a bin edge, named; none moved in these problems.
    expect(moved).toEqual([]);
    finish(r);
  });

  test('run mc: HessTrace, TICDiag, TICTrace share one Monte-Carlo sample per step, unbiased for the exact GGN', async () => {
    const r = await replay(name, 'mc');
    const log = r.cockpit.output();
    r.golden.steps.forEach((step, t) => {
      const out = log.get(t)!;
      const n = step.individual_losses.length;
      const moment = perSampleRows(step).flat().reduce((s, g) => s + g * g, 0) / n;
      const trace = (out.HessTrace as number[]).reduce((a, b) => a + b, 0);
      // TICTrace read the very diagonal HessTrace summed.
      expectClose(out.TICTrace as number, moment / (trace + 1e-7), 1e-4, 0, `${name} mc step ${t} TICTrace vs HessTrace`);
      expect(out.TICDiag as number).toBeGreaterThan(0);
    });
    finish(r);
    // E[MC GGN trace] = exact GGN trace: mean over seeds at step 0 within 4 standard errors, per parameter.
    const seeds = 48;
    const samples: number[][] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const golden = loadGolden(name);
      const problem = buildProblem(golden);
      setParameters(problem, golden.initial_parameters);
      const cockpit = new Cockpit({ model: problem.model, loss: problem.loss, quantities: runQuantities('mc').slice(0, 1), seed });
      const { x, y } = batchTensors(golden.steps[0].batch);
      const { grads, quantities } = await cockpit.step({ step: 0, x, y });
      samples.push(quantities[0].vector!.values!);
      tf.dispose([x, y, ...grads]);
      problem.model.dispose();
    }
    const exact = loadGolden(name).steps[0].brute_force.ggn_trace_per_param;
    exact.forEach((e, p) => {
      const xs = samples.map((s) => s[p]);
      const mean = xs.reduce((a, b) => a + b, 0) / seeds;
      const se = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (seeds - 1) / seeds);
      expect(Math.abs(mean - e)).toBeLessThanOrEqual(4 * se + 1e-6 * Math.abs(e));
      expect(new Set(xs).size).toBeGreaterThan(1);
    });
  });
});
