// The contract between the engine (our BackPACK) and the quantities. The engine owns everything under engine/;
// quantities only see these types.
import type * as tf from '@tensorflow/tfjs';
import type { Axis, JointAxes } from '../quantities/bin-counts.js';
import type { CountingThread } from './counting-thread.js';

/** The supported mean losses; written from differentiable ops so that second derivatives work. */
export type LossKind = 'softmax_cross_entropy' | 'mean_squared_error' | 'sigmoid_cross_entropy';

/** A parameter tensor of the model, in the model's weight order (tfjs layouts: Dense [in,out], conv2d [kh,kw,in,out]). */
export interface ParamInfo {
  name: string;
  shape: number[];
  size: number;
  /** Start of this parameter in a flat vector of all parameters. */
  offset: number;
}

/** A Dense layer's per-example gradients in factored form: g_n = a_n δ_nᵀ for the kernel (and δ_n for the bias). */
export interface GradientFactors {
  a: tf.Tensor2D;
  delta: tf.Tensor2D;
}

/** What one backward pass should produce besides the mean gradient. Everything is about the mean loss L = mean_i ℓ_i. */
export interface StatsRequest {
  /** ‖g_i‖² for every example i: [N]. */
  batchL2?: boolean;
  /** Gram matrix g_i·g_j: [N, N]. */
  batchDot?: boolean;
  /** g_i·∇L for every example i: [N] (the Gram matrix's row means, made without the Gram where that is cheaper). */
  meanProjections?: boolean;
  /** Σ_i g_i² elementwise, per parameter (shape of the parameter). */
  sumGradSquared?: boolean;
  /** g_i materialised per parameter: [N, ...shape] (histograms need it). */
  individualGradients?: boolean;
  /**
   * int32 counts of every entry of every g_n, all parameters together, on this histogram axis (binCounts' rule):
   * [bins]. Dense layers count their outer products without materialising them.
   */
  gradientHistogram?: Axis;
  /**
   * int32 counts of the pairs (g_n[k], θ[k]) over every example n and entry k, per parameter, on these axes
   * (binCounts' pair rule, θ the parameter's value in this pass): [x bins · y bins] each, row-major [x bin, y bin].
   * Dense kernels count their outer products without materialising them.
   */
  gradientHistogram2d?: JointAxes;
  /** max over n and every entry of |g_n| (bin adaptation): a scalar. Dense layers need not materialise g_n. */
  gradientAbsMax?: boolean;
  /** g_i·d for a given direction d (per parameter, shapes of the parameters): [N]. Alpha needs it. */
  projectOn?: tf.Tensor[];
  /**
   * Says that projectOn is `scale` times the mean gradient of an earlier pass whose factors were kept (`factors`:
   * that pass's BatchStats.factors). Dense layers then project by the cross Gram matrices of the two passes' factors
   * where that is cheaper than a product with the direction (plain SGD steps: Alpha).
   */
  projectOnFactors?: { factors: readonly (GradientFactors | undefined)[]; scale: number };
  /** Keep the per-example gradient factors of this pass (BatchStats.factors). */
  keepFactors?: boolean;
  /** Exact diagonal of the Hessian of L, per parameter. */
  diagHessian?: boolean;
  /** Exact diagonal of the generalised Gauss-Newton of L, per parameter. */
  diagGGN?: boolean;
  /** Monte-Carlo GGN diagonal with this many samples drawn from the model's predictive distribution. */
  diagGGNMC?: { samples: number; seed: number };
}

/** Results of one pass. Tensors are float32, owned by the caller: call dispose() when done. */
export interface BatchStats {
  loss: tf.Scalar;
  /** ℓ_i: [N]. */
  individualLosses: tf.Tensor1D;
  /** ∇L per parameter. */
  grads: tf.Tensor[];
  batchL2?: tf.Tensor1D;
  batchDot?: tf.Tensor2D;
  meanProjections?: tf.Tensor1D;
  sumGradSquared?: tf.Tensor[];
  individualGradients?: tf.Tensor[];
  /**
   * The counts on the requested axis (quantities asking for another axis must bin individualGradients): a tensor,
   * or, with EngineOptions.countingThread, the counts that thread is making.
   */
  gradientHistogram?: { axis: Axis; counts: tf.Tensor1D } | { axis: Axis; pending: Promise<Int32Array> };
  /** The counts per parameter on the requested axes (quantities asking for others must bin individualGradients). */
  gradientHistogram2d?: { axes: JointAxes; counts: tf.Tensor1D[] };
  gradientAbsMax?: tf.Scalar;
  projections?: tf.Tensor1D;
  /** Per parametrised layer in order, its gradient factors (undefined for layers without a factored form). */
  factors?: (GradientFactors | undefined)[];
  diagHessian?: tf.Tensor[];
  diagGGN?: tf.Tensor[];
  diagGGNMC?: tf.Tensor[];
  dispose(): void;
}

/** How one engine call runs. */
export interface EngineOptions {
  /**
   * Seeds the dropout masks of the call (drawn once and shared by all its statistics). Pass the same seed to
   * hessianVectorProduct to see the same masks; without one, a random seed is drawn.
   */
  seed?: number;
  /** Makes gradientHistogram's counts there, while the caller goes on (BatchStats.gradientHistogram.pending). */
  countingThread?: CountingThread;
}
