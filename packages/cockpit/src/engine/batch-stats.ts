import * as tf from '@tensorflow/tfjs';
import { CallContext } from './context.js';
import type { CountingThread } from './counting-thread.js';
import { factorDiagonal, outputGroup } from './curvature/factor-backprop.js';
import { loopedFactorDiagonal } from './curvature/loop.js';
import { backwardPass, type BackwardPass, stepShapes } from './forward.js';
import { installSecondOrderGradients } from './gradients/install.js';
import { hvpDiagonal } from './hvp.js';
import { individualLosses, LOSS_KINDS, outputHessianFactors, sampledOutputFactors, targetMatrix } from './losses.js';
import { assertPerParameter, type Chain, chainOf } from './model/chain.js';
import { isActivation, isParametrised } from './model/step.js';
import { retain } from './retain.js';
import type { LayerGrads } from './per-example/layer-grads.js';
import type { Axis } from '../quantities/bin-counts.js';
import { loopedGrads } from './per-example/loop.js';
import type { BatchStats, EngineOptions, LossKind, StatsRequest } from './types.js';

type Computed = Omit<BatchStats, 'dispose'>;

const warned = new Set<string>();

/** The one-time warning that names each layer the fast path does not know. */
function warnOpaque(chain: Chain, model: tf.LayersModel): void {
  for (const step of chain.opaque) {
    const key = `${model.name}/${step.layerName}`;
    if (warned.has(key)) continue;
    warned.add(key);
    console.warn(
      `cockpit engine: layer "${step.layerName}" of model "${model.name}" is not supported by the fast path (${step.reason}); ` +
        'per-example statistics and curvature of this model use an exact per-example loop (slow).',
    );
  }
}

function needsPerExample(r: StatsRequest): boolean {
  return Boolean(r.batchL2 || r.batchDot || r.meanProjections || r.sumGradSquared || r.individualGradients || r.gradientHistogram || r.gradientHistogram2d || r.gradientAbsMax || r.projectOn || r.keepFactors);
}

function needsCurvature(r: StatsRequest): boolean {
  return Boolean(r.diagHessian || r.diagGGN || r.diagGGNMC);
}

/** Per-example gradients per parametrised step (fast path) or for all parameters at once (exact loop). */
function perExampleGroups(chain: Chain, pass: BackwardPass, x: tf.Tensor, targets: tf.Tensor, loss: LossKind, ctx: CallContext): LayerGrads[] {
  if (chain.opaque.length) {
    return [loopedGrads(chain, x, ctx, (logits, n) => tf.sum(individualLosses(loss, logits, tf.slice(targets, n, 1))))];
  }
  return chain.steps.flatMap((step, i) => (isParametrised(step) ? [step.perExample(pass.inputs[i]!, pass.outputGrads[i]!)] : []));
}

/** ∇L = (1/N) Σ_n ∇ℓ_n from each parametrised step's input and output gradients (every one probed). */
function gradientsFromOutputs(chain: Chain, pass: BackwardPass, n: number): tf.Tensor[] {
  return chain.steps.flatMap((step, i) => (isParametrised(step) ? step.parameterGradients(pass.inputs[i]!, pass.outputGrads[i]!).map((g) => tf.div(g, n)) : []));
}

/** Splits a per-parameter list into the parameter groups of `groups` (in order). */
function splitByGroup<T>(items: readonly T[], groups: LayerGrads[], chain: Chain): T[][] {
  if (groups.length === 1) return [items.slice()];
  const sizes = chain.steps.filter(isParametrised).map((s) => s.variables.length);
  let at = 0;
  return sizes.map((size) => items.slice(at, (at += size)));
}

/** The groups with counting jobs count on the thread, the others here; the pending counts are the sum of both. */
function gradientHistogram(axis: Axis, groups: LayerGrads[], counting: CountingThread | undefined): NonNullable<Computed['gradientHistogram']> {
  const jobs = counting ? groups.map((g) => g.countJobs()) : [];
  const here = groups.filter((_, k) => jobs[k] === undefined);
  if (!counting || here.length === groups.length) return { axis, counts: tf.addN(here.map((g) => g.histogram(axis))) as tf.Tensor1D };
  const counted = here.length ? (tf.addN(here.map((g) => g.histogram(axis))).dataSync() as Int32Array).slice() : new Int32Array(axis.bins);
  const pending = counting.count(axis, jobs.flatMap((j) => j ?? [])).then((c) => c.map((v, b) => v + counted[b]!));
  // A step that tracks nothing (a NaN loss) never awaits it: its failure must not become an unhandled rejection.
  pending.catch(() => undefined);
  return { axis, pending };
}

function firstOrder(request: StatsRequest, groups: LayerGrads[], chain: Chain, grads: () => readonly tf.Tensor[], counting: CountingThread | undefined, out: Computed): void {
  const sum = <T extends tf.Tensor>(parts: T[]): T => tf.addN(parts) as T;
  // First, so that the counting thread starts as early as it can.
  const axis = request.gradientHistogram;
  if (axis) out.gradientHistogram = gradientHistogram(axis, groups, counting);
  if (request.sumGradSquared) out.sumGradSquared = groups.flatMap((g) => g.sumSquared());
  if (request.individualGradients) out.individualGradients = groups.flatMap((g) => g.individual());
  const axes = request.gradientHistogram2d;
  if (axes) {
    const theta = splitByGroup(chain.variables.map((v) => v.read()), groups, chain);
    out.gradientHistogram2d = { axes, counts: groups.flatMap((g, k) => g.histogram2d(axes, theta[k]!)) };
  }
  if (request.gradientAbsMax) out.gradientAbsMax = tf.max(tf.stack(groups.map((g) => g.absMax()))) as tf.Scalar;
  // The products last: a layer whose gradients the statistics above materialised takes them from there.
  if (request.batchL2) out.batchL2 = sum(groups.map((g) => g.squaredNorms()));
  if (request.batchDot) out.batchDot = sum(groups.map((g) => g.gram()));
  if (request.meanProjections) {
    const mean = splitByGroup(grads(), groups, chain);
    out.meanProjections = sum(groups.map((g, k) => g.meanProjections(mean[k]!)));
  }
  if (request.projectOn) {
    assertPerParameter('projectOn', request.projectOn, chain);
    const directions = splitByGroup(request.projectOn, groups, chain);
    const earlier = request.projectOnFactors;
    out.projections = sum(groups.map((g, k) => g.project(directions[k]!, earlier && { factors: earlier.factors[k], scale: earlier.scale })));
  }
  if (request.keepFactors) {
    out.factors = groups.map((g) => {
      const f = g.factors();
      return f && { a: retain(f.a), delta: retain(f.delta) };
    });
  }
}

function curvature(request: StatsRequest, chain: Chain, pass: BackwardPass, x: tf.Tensor, targets: tf.Tensor, loss: LossKind, ctx: CallContext, out: Computed): void {
  const exact = () => outputHessianFactors(loss, pass.logits);
  const looped = chain.opaque.length > 0;
  const diagonal = (factors: tf.Tensor3D) =>
    looped ? loopedFactorDiagonal(chain, x, ctx, factors) : factorDiagonal(chain, pass, ctx, [outputGroup(factors)], false);
  if (request.diagGGN || (request.diagHessian && !looped)) out.diagGGN = diagonal(exact());
  if (request.diagHessian) {
    out.diagHessian = looped
      ? hvpDiagonal(chain, loss, x, targets, ctx)
      : factorDiagonal(chain, pass, ctx, [], true).map((residual, p) => tf.add(out.diagGGN![p]!, residual));
    if (!request.diagGGN) out.diagGGN = undefined;
  }
  if (request.diagGGNMC) {
    const { samples, seed } = request.diagGGNMC;
    if (!(Number.isInteger(samples) && samples > 0)) throw new Error(`diagGGNMC: samples must be a positive integer, got ${samples}`);
    out.diagGGNMC = diagonal(sampledOutputFactors(loss, pass.logits, samples, new CallContext(seed).samplingRng()));
  }
}

/**
 * One forward and backward pass of the mean loss over the batch, with every statistic of `request` computed in
 * batch from each layer's input and back-propagated output gradients. See README for conventions: g_i = ∇ℓ_i
 * (not divided by N), ∇L = mean_i g_i; labels for cross-entropy are class indices [N] or one-hot rows [N, K].
 */
export function computeBatchStats(
  model: tf.LayersModel,
  loss: LossKind,
  x: tf.Tensor,
  y: tf.Tensor,
  request: StatsRequest,
  options: EngineOptions = {},
): BatchStats {
  if (!LOSS_KINDS.includes(loss)) throw new Error(`unknown loss "${loss}"; choose one of ${LOSS_KINDS.join(', ')}`);
  installSecondOrderGradients();
  const chain = chainOf(model);
  warnOpaque(chain, model);
  const ctx = new CallContext(options.seed ?? Math.floor(Math.random() * 2 ** 31));
  try {
    const computed = tf.tidy(() => {
      const fast = chain.opaque.length === 0;
      const perExample = needsPerExample(request);
      const curved = needsCurvature(request);
      const probeAt = chain.steps.map(
        (s) => fast && (((perExample || curved) && isParametrised(s)) || (Boolean(request.diagHessian) && isActivation(s))),
      );
      const t = targetMatrix(loss, y, stepShapes(chain, x.shape).at(-1)!);
      // With every parametrised step probed, the backward pass stops at the output gradients and the parameter
      // gradients are made from them, after the histogram's counts went to the counting thread: it counts meanwhile.
      const fromOutputs = fast && (perExample || curved);
      const pass = backwardPass(chain, loss, x, t, ctx, probeAt, !fromOutputs);
      try {
        let grads: tf.Tensor[] | undefined;
        const meanGradients = () => (grads ??= fromOutputs ? gradientsFromOutputs(chain, pass, x.shape[0]!) : pass.grads);
        const out: Computed = { loss: tf.mean(pass.losses), individualLosses: retain(pass.losses), grads: [] };
        if (perExample) firstOrder(request, perExampleGroups(chain, pass, x, t, loss, ctx), chain, meanGradients, options.countingThread, out);
        out.grads = meanGradients();
        if (curved) curvature(request, chain, pass, x, t, loss, ctx, out);
        return out as unknown as tf.TensorContainerObject;
      } finally {
        pass.dispose();
      }
    }) as unknown as Computed;
    return { ...computed, dispose: () => tf.dispose(computed as unknown as tf.TensorContainerObject) };
  } finally {
    ctx.dispose();
  }
}
