// Alpha: where along the step direction the update landed, relative to the minimum of a quadratic fitted to the
// loss and slope observed at both ends. The end point is the NEXT training step's batch at θ_{n+1}, so no extra
// pass is made; the value is computed at n + 1 and stored under n.
import * as tf from '@tensorflow/tfjs';
import type { Quantity as QuantityRecord } from '@flightdeck/core';
import { mean, variance } from '@flightdeck/core';
import { retain, retainAll } from '../engine/retain.js';
import type { GradientFactors, StatsRequest } from '../engine/types.js';
import { alphaFromFit, fitQuadratic, type EndObservation } from './alpha-fit.js';
import { NextStepQuantity, type StepData, type StepPlan } from './quantity.js';
import { disposeAll, download, downloadScalar, read, requireStat, scalarRecord, squaredNorm } from './records.js';

/**
 * The start of a pair. With plain SGD the direction d = −lr·g is known at the start (the original's fast path):
 * g is kept, and the end's projections on it are scaled by −lr. Otherwise d = θ_{n+1} − θ_n is only known at the
 * end, so θ_n and the individual gradients are kept.
 */
type Start =
  | { step: number; path: 'sgd'; f: number; varF: number; slopes: number[]; gradient: tf.Tensor[]; length: number; lr: number; factors?: (GradientFactors | undefined)[] }
  | { step: number; path: 'general'; f: number; varF: number; theta: tf.Tensor[]; gradients: tf.Tensor[]; direction?: tf.Tensor[] };

export class Alpha extends NextStepQuantity {
  readonly name = 'Alpha';
  private start: Start | undefined;
  private warnedGeneral = false;

  override request(plan: StepPlan): StatsRequest {
    const request: StatsRequest = {};
    const start = this.pairEndingAt(plan.step);
    if (start !== undefined) {
      if (start.path === 'general') {
        request.projectOn = start.direction ??= tf.tidy(() => plan.theta.map((t, p) => tf.sub(t, start.theta[p])));
      } else {
        request.projectOn = start.gradient;
        // ∇L of the start: Dense layers may project by the Gram matrices of the two steps' factors.
        if (start.factors) request.projectOnFactors = { factors: start.factors, scale: 1 };
      }
    }
    if (this.isStart(plan.step)) {
      if (plan.optimizer.kind === 'sgd') {
        request.meanProjections = true;
        request.keepFactors = true;
      } else request.individualGradients = true;
    }
    return request;
  }

  async track(data: StepData): Promise<QuantityRecord[]> {
    const out: QuantityRecord[] = [];
    const start = this.pairEndingAt(data.step);
    if (start !== undefined && (start.path === 'sgd' || start.direction !== undefined)) {
      const alpha = await this.finish(start, data);
      if (alpha !== undefined) out.push(scalarRecord(this.name, alpha, start.step));
    }
    this.dispose();
    if (this.isStart(data.step)) this.start = await this.begin(data);
    return out;
  }

  private pairEndingAt(step: number): Start | undefined {
    return this.isEnd(step) && this.start?.step === step - 1 ? this.start : undefined;
  }

  private async begin(data: StepData): Promise<Start> {
    const losses = await read(data.stats.individualLosses);
    const f = data.loss;
    const varF = variance(losses, 1);
    if (data.optimizer.kind === 'sgd') {
      // s_i = g_i·d/‖d‖ with d = −lr·g, i.e. −(g_i·g)/‖g‖.
      const p = await read(requireStat(data, 'meanProjections', this.name));
      const gNorm = Math.sqrt(mean(p));
      const lr = data.optimizer.lr;
      const gradient = retainAll(data.stats.grads);
      const factors = data.stats.factors?.map((f) => f && { a: retain(f.a), delta: retain(f.delta) });
      return { step: data.step, path: 'sgd', f, varF, slopes: p.map((pi) => -pi / gNorm), gradient, length: lr * gNorm, lr, factors };
    }
    if (!this.warnedGeneral) {
      this.warnedGeneral = true;
      data.warn('Alpha: the optimizer is not plain SGD, so the individual gradients are kept for one step to project them on the step taken');
    }
    const gradients = retainAll(requireStat(data, 'individualGradients', this.name));
    return { step: data.step, path: 'general', f, varF, theta: retainAll(data.theta), gradients };
  }

  private async finish(start: Start, data: StepData): Promise<number | undefined> {
    // ‖d‖ = lr·‖g‖ for SGD, with ‖g‖² = mean_i g_i·g from the projections already downloaded.
    const t = start.path === 'sgd' ? start.length : Math.sqrt(await downloadScalar(squaredNorm(start.direction!)));
    const startSlopes = start.path === 'sgd' ? start.slopes : (await download(projectEach(start.gradients, start.direction!))).map((s) => s / t);
    // The SGD path projected on g: d = −lr·g.
    const scale = start.path === 'sgd' ? -start.lr : 1;
    const endSlopes = (await read(requireStat(data, 'projections', this.name))).map((s) => (scale * s) / t);
    const endLosses = await read(data.stats.individualLosses);
    const observe = (f: number, varF: number, slopes: number[]): EndObservation => ({ f, varF, df: mean(slopes), varDf: variance(slopes, 1) });
    const warn = (m: string): void => data.warn(`${m} (step ${start.step})`);
    const mu = fitQuadratic(t, observe(start.f, start.varF, startSlopes), observe(data.loss, variance(endLosses, 1), endSlopes), warn);
    return alphaFromFit(t, mu, warn);
  }

  override dispose(): void {
    if (this.start === undefined) return;
    if (this.start.path === 'sgd') {
      disposeAll(this.start.gradient);
      this.start.factors?.forEach((f) => f && tf.dispose([f.a, f.delta]));
    } else {
      disposeAll(this.start.direction);
      disposeAll(this.start.theta);
      disposeAll(this.start.gradients);
    }
    this.start = undefined;
  }
}

/** g_i·d for individual gradients [N, …shape] per parameter: [N]. */
function projectEach(gradients: readonly tf.Tensor[], direction: readonly tf.Tensor[]): tf.Tensor1D {
  const projections = tf.tidy(() =>
    tf.addN(gradients.map((g, p) => tf.reshape(tf.matMul(tf.reshape(g, [g.shape[0], -1]), tf.reshape(direction[p], [-1, 1])), [-1]))),
  );
  return projections as tf.Tensor1D;
}
