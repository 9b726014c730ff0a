// A stand-in for the engine in quantity tests: the statistics of one golden step computed here in float64 from the
// golden per-sample gradients (functorch's, not ours) and handed to the quantities as float32 tensors. Parameters
// stay in the golden (PyTorch) layout; the quantities do not care about layouts.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import type { BatchStats, ParamInfo, StatsRequest } from '../../src/engine/types';
import { binCounts, type OptimizerInfo, type StepData, type StepPlan } from '../../src/quantities';
import { perSampleRows, type GoldenProblem, type GoldenStep } from '../golden/golden';

export function goldenParams(problem: GoldenProblem): ParamInfo[] {
  return problem.initial_parameters.map((p) => ({ name: p.name, shape: p.shape, size: p.numel, offset: p.offset }));
}

export function goldenTheta(step: GoldenStep): tf.Tensor[] {
  return step.params_before.map((p) => tf.tensor(p.values, p.shape));
}

function split(flat: number[], params: readonly ParamInfo[]): tf.Tensor[] {
  return params.map((p) => tf.tensor(flat.slice(p.offset, p.offset + p.size), p.shape));
}

/** Rows [N][D] → per parameter [N, ...shape]. */
function splitRows(rows: number[][], params: readonly ParamInfo[]): tf.Tensor[] {
  return params.map((p) => tf.tensor(rows.flatMap((r) => r.slice(p.offset, p.offset + p.size)), [rows.length, ...p.shape]));
}

export async function goldenStats(step: GoldenStep, params: readonly ParamInfo[], request: StatsRequest): Promise<BatchStats> {
  const g = perSampleRows(step);
  const n = g.length;
  const dot = (a: number[], b: number[]) => a.reduce((s, x, j) => s + x * b[j], 0);
  const tensors: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (tensors.push(t), t);
  const keepAll = (ts: tf.Tensor[]) => ts.map(keep);
  const stats: BatchStats = {
    loss: keep(tf.scalar(step.loss)),
    individualLosses: keep(tf.tensor1d(step.individual_losses)),
    grads: keepAll(split(step.grad, params)),
    dispose: () => tensors.forEach((t) => t.dispose()),
  };
  if (request.batchL2) stats.batchL2 = keep(tf.tensor1d(g.map((r) => dot(r, r))));
  if (request.batchDot) stats.batchDot = keep(tf.tensor2d(g.flatMap((r) => g.map((s) => dot(r, s))), [n, n]));
  if (request.meanProjections) {
    const mean = g[0].map((_, j) => g.reduce((s, r) => s + r[j], 0) / n);
    stats.meanProjections = keep(tf.tensor1d(g.map((r) => dot(r, mean))));
  }
  if (request.sumGradSquared) stats.sumGradSquared = keepAll(split(g[0].map((_, j) => g.reduce((s, r) => s + r[j] ** 2, 0)), params));
  if (request.individualGradients) stats.individualGradients = keepAll(splitRows(g, params));
  if (request.gradientAbsMax) stats.gradientAbsMax = keep(tf.scalar(Math.max(...g.map((r) => Math.max(...r.map(Math.abs))))));
  const axis = request.gradientHistogram;
  if (axis) stats.gradientHistogram = { axis, counts: keep(tf.tidy(() => tf.addN(splitRows(g, params).map((t) => binCounts(t, axis))))) };
  const axes = request.gradientHistogram2d;
  if (axes) {
    const theta = goldenTheta(step);
    const counts = tf.tidy(() => splitRows(g, params).map((t, p) => binCounts(t, axes.x, { y: theta[p]!, axis: axes.y })));
    tf.dispose(theta);
    stats.gradientHistogram2d = { axes, counts: counts.map(keep) };
  }
  if (request.projectOn) {
    const d = (await Promise.all(request.projectOn.map((t) => t.data()))).flatMap((a) => Array.from(a));
    stats.projections = keep(tf.tensor1d(g.map((r) => dot(r, d))));
  }
  if (request.diagHessian) stats.diagHessian = keepAll(split(step.brute_force.hessian_diag, params));
  if (request.diagGGN) stats.diagGGN = keepAll(split(step.brute_force.ggn_diag, params));
  if (request.diagGGNMC) throw new Error('the golden files hold no Monte-Carlo curvature sample');
  return stats;
}

export function goldenPlan(step: number, theta: tf.Tensor[], optimizer: OptimizerInfo): StepPlan {
  return { step, theta, optimizer, mcSeed: step };
}

export function goldenStepData(plan: StepPlan, params: readonly ParamInfo[], stats: BatchStats, loss: number, warnings: string[] = []): StepData {
  return {
    ...plan,
    params,
    stats,
    loss,
    batchSize: stats.individualLosses.shape[0],
    hvp: () => {
      throw new Error('the golden replay has no Hessian-vector products');
    },
    rng: (label) => new Rng(`${plan.step}:${label}`),
    warn: (m) => warnings.push(m),
  };
}
