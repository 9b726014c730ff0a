import type * as tf from '@tensorflow/tfjs';
import type { Axis, JointAxes } from '../../quantities/bin-counts.js';
import type { CountJob } from '../counting-thread.js';
import type { GradientFactors } from '../types.js';

/**
 * The per-example gradients g_n = ∇ℓ_n of one group of parameters, and the statistics Cockpit needs from them.
 * Implementations compute the statistics without materialising g_n where they can.
 */
export interface LayerGrads {
  /** ‖g_n‖² over this group: [N]. */
  squaredNorms(): tf.Tensor1D;
  /** g_n·g_m over this group: [N, N]. */
  gram(): tf.Tensor2D;
  /** Σ_n g_n² per parameter (parameter shapes). */
  sumSquared(): tf.Tensor[];
  /**
   * g_n·d over this group, for d given per parameter: [N]. `earlier`: d is `scale` times the mean gradient of an
   * earlier pass with these factors for this group, which a factored group may use instead of d.
   */
  project(directions: readonly tf.Tensor[], earlier?: EarlierGradient): tf.Tensor1D;
  /** g_n·ḡ over this group, with ḡ = mean_m g_m given per parameter: [N] (the gradient tests' and Alpha's). */
  meanProjections(mean: readonly tf.Tensor[]): tf.Tensor1D;
  /** The factors of this group's per-example gradients, where it has them. */
  factors(): GradientFactors | undefined;
  /** g_n per parameter: [N, ...shape]. */
  individual(): tf.Tensor[];
  /** int32 counts of every entry of every g_n of this group on `axis`: [bins]. */
  histogram(axis: Axis): tf.Tensor1D;
  /**
   * The same entries as jobs for a counting thread, on host copies of the factors; undefined where copying the
   * entries out would cost about what counting them here does (materialised gradients: about 3 ns a value).
   */
  countJobs(): CountJob[] | undefined;
  /** int32 counts of the pairs (g_n[k], θ[k]) per parameter of this group, θ given per parameter: [x bins · y bins]. */
  histogram2d(axes: JointAxes, theta: readonly tf.Tensor[]): tf.Tensor1D[];
  /** max over n and entries of |g_n| in this group: a scalar. */
  absMax(): tf.Scalar;
}

/** d = scale · mean_m g'_m of an earlier pass, whose per-example gradients of this group had these factors. */
export interface EarlierGradient {
  factors: GradientFactors | undefined;
  scale: number;
}
