import * as tf from '@tensorflow/tfjs';
import type { CallContext } from '../context.js';
import { outerProducts } from '../linalg.js';
import type { BackwardPass } from '../forward.js';
import type { Chain } from '../model/chain.js';
import { isActivation, isParametrised, type KnownStep } from '../model/step.js';

/** Curvature carried back through the network as Σ_c sign·s_c s_cᵀ per example; s: [C·N, ...], column-major. */
export interface FactorGroup {
  s: tf.Tensor;
  columns: number;
  sign: 1 | -1;
}

/** A diagonal factor needs U² N numbers for U units per example; beyond this the engine refuses rather than stall. */
const MAX_RESIDUAL_FACTOR_SIZE = 2 ** 26;

/** diag(r) = F⁺F⁺ᵀ − F⁻F⁻ᵀ per example, with F± = diag(√max(±r, 0)) as U columns. */
function residualGroups(r: tf.Tensor, layerName: string): FactorGroup[] {
  const [n, ...unit] = r.shape as number[];
  const units = unit.reduce((a, b) => a * b, 1);
  if (units * units * n! > MAX_RESIDUAL_FACTOR_SIZE) {
    throw new Error(
      `diagHessian: the activation of layer "${layerName}" has ${units} units per example; its exact Hessian ` +
        `residual needs ${units}²·${n} numbers. Use diagGGN (equal to diagHessian for ReLU networks) or hessianVectorProduct.`,
    );
  }
  const eye = tf.eye(units) as tf.Tensor2D;
  // Column u of example n is √part[n, u]·e_u: per column u, the outer product of √part[:, u] with e_u.
  const factor = (part: tf.Tensor) =>
    tf.reshape(outerProducts(tf.transpose(tf.reshape(tf.sqrt(part), [n!, units])) as tf.Tensor2D, eye), [units * n!, ...unit]);
  return [
    { s: factor(tf.relu(r)), columns: units, sign: 1 },
    { s: factor(tf.relu(tf.neg(r))), columns: units, sign: -1 },
  ];
}

/**
 * The diagonal of Σ_n (backpropagated factors) for every parameter, as BackPACK computes DiagGGN and DiagHessian:
 * factors of the loss Hessian at the logits travel back step by step; each parametrised step adds its parameters'
 * squared per-column gradients. With `residuals`, every curved activation (sigmoid, tanh) adds its own term
 * diag(φ''(z) ∘ ∂ℓ/∂y) as new factors, which makes the result the exact Hessian diagonal. Divided by N (mean loss).
 */
export function factorDiagonal(
  chain: Chain,
  pass: BackwardPass,
  ctx: CallContext,
  initial: FactorGroup[],
  residuals: boolean,
): tf.Tensor[] {
  const steps = chain.steps as readonly KnownStep[];
  const firstParametrised = steps.findIndex(isParametrised);
  const perStep = new Map<number, tf.Tensor[]>();
  let groups = initial;
  for (let i = steps.length - 1; i >= firstParametrised; i--) {
    const step = steps[i]!;
    const a = pass.inputs[i]!;
    if (isParametrised(step)) {
      const terms = groups.map((g) => step.factorDiagonal(g.s, g.columns, a).map((d) => (g.sign > 0 ? d : tf.neg(d))));
      perStep.set(i, step.variables.map((v, p) => (terms.length ? tf.addN(terms.map((t) => t[p]!)) : tf.zeros(v.shape as number[]))));
    }
    if (i === firstParametrised) break;
    const residual = residuals && isActivation(step) ? step.residual(a, pass.outputGrads[i]!) : null;
    groups = groups.map((g) => ({ ...g, s: step.backpropFactors(g.s, g.columns, a, ctx) }));
    if (residual) groups.push(...residualGroups(residual, step.layerName));
  }
  const n = pass.logits.shape[0];
  return steps.flatMap((_, i) => (perStep.get(i) ?? []).map((d) => tf.div(d, n)));
}

/** Output factors [C, N, K] as the initial group. */
export function outputGroup(factors: tf.Tensor3D): FactorGroup {
  const [columns, n, k] = factors.shape;
  return { s: tf.reshape(factors, [columns * n, k]), columns, sign: 1 };
}
