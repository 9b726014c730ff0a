import type * as tf from '@tensorflow/tfjs';
import type { LayerGrads } from '../per-example/layer-grads.js';

/** A trainable weight of a tfjs layer (tfjs-layers' LayerVariable). */
export type LayerVariable = tf.LayersModel['trainableWeights'][number];

/** What one engine call shares between its passes: the dropout masks, drawn once per call. */
export interface ForwardContext {
  /** The mask of a dropout step for the whole batch, already scaled by 1/(1 − rate): [N, ...shape]. */
  dropoutMask(step: Step, shape: number[], rate: number): tf.Tensor;
}

/**
 * One stage of a chain model. A tfjs layer with a fused activation becomes two steps (the affine map, then the
 * activation), so that every parametrised step's output is a pre-activation.
 */
export interface Step {
  /** The tfjs layer this step comes from, for messages. */
  readonly layerName: string;
  /** This step's trainable weights, in the layer's order (kernel, then bias). */
  readonly variables: readonly LayerVariable[];
  outputShape(inputShape: number[]): number[];
  apply(a: tf.Tensor, ctx: ForwardContext): tf.Tensor;
}

/** A step the fast path knows: it can carry curvature factors back through itself. */
export interface KnownStep extends Step {
  /**
   * Backpropagates curvature factors s [C·N, ...out] (C columns per example, column-major) to [C·N, ...in]
   * through this step's Jacobian at input a [N, ...in].
   */
  backpropFactors(s: tf.Tensor, columns: number, a: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /** This step around its input a and output gradient gOut of one pass, for Hessian-vector products. */
  linearize(a: tf.Tensor, gOut: tf.Tensor, ctx: ForwardContext): Linearized;
}

/**
 * Pearlmutter's R-operator through one step y = f(a, θ) of a pass whose backward gives (g_a, g_θ) = J_aᵀ gOut,
 * J_θᵀ gOut: R{x} is the derivative of x along a direction of the parameters, R{θ} = v. null stands for zero.
 */
export interface Linearized {
  /** R{y} = J_a R{a} + J_θ R{θ}. */
  forward(ra: tf.Tensor | null, rParams: readonly tf.Tensor[]): tf.Tensor | null;
  /**
   * R{g_a} and R{g_θ}, from R{a}, R{gOut} and R{θ}: the Jacobians' transposes applied to R{gOut}, plus the
   * second-order terms in gOut. R{g_a} only when `withInput` (earlier steps have parameters).
   */
  backward(ra: tf.Tensor | null, rgOut: tf.Tensor, rParams: readonly tf.Tensor[], withInput: boolean): { input: tf.Tensor | null; params: tf.Tensor[] };
  /** Frees what linearize() kept (masks, routing indices). */
  dispose(): void;
}

/** A step with parameters whose per-example gradients follow from its input and output gradient. */
export interface ParametrisedStep extends KnownStep {
  readonly kind: 'dense' | 'conv2d';
  /** Per-example gradients from the input a [N, ...in] and the per-example output gradients delta [N, ...out]. */
  perExample(a: tf.Tensor, delta: tf.Tensor): LayerGrads;
  /**
   * The gradients of Σ_n ℓ_n by the step's parameters, from a and delta as above, by the same ops as tfjs's own
   * gradients of the step (so the same values to the bit).
   */
  parameterGradients(a: tf.Tensor, delta: tf.Tensor): tf.Tensor[];
  /** Σ over examples and columns of the squared per-column parameter gradients, from factors [C·N, ...out]. */
  factorDiagonal(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor[];
}

/** An elementwise activation: its Hessian adds diag(φ''(z) ∘ ∂ℓ/∂y) at its input z. */
export interface ActivationStep extends KnownStep {
  readonly kind: 'activation';
  /** φ''(z) ∘ gOut, or null where φ'' vanishes almost everywhere (ReLU, linear). */
  residual(z: tf.Tensor, gOut: tf.Tensor): tf.Tensor | null;
}

export function isParametrised(step: Step): step is ParametrisedStep {
  const kind = (step as Partial<ParametrisedStep>).kind;
  return kind === 'dense' || kind === 'conv2d';
}

export function isActivation(step: Step): step is ActivationStep {
  return (step as Partial<ActivationStep>).kind === 'activation';
}
