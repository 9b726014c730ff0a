import * as tf from '@tensorflow/tfjs';
import { type Axis, binCounts, type JointAxes } from '../../quantities/bin-counts.js';
import { outerBinCounts } from '../../quantities/outer-bin-counts.js';
import { outerJointCounts } from '../../quantities/outer-joint-counts.js';
import type { CountJob } from '../counting-thread.js';
import { hostValues, matMul, outerProducts, sumAxis } from '../linalg.js';
import type { GradientFactors } from '../types.js';
import type { EarlierGradient, LayerGrads } from './layer-grads.js';

/**
 * A Dense layer's per-example gradients are outer products, G_W[n] = a_n δ_nᵀ and G_b[n] = δ_n, so every
 * statistic factorises over the layer input A [N, in] and the output gradients Δ [N, out].
 */
export class DenseGrads implements LayerGrads {
  constructor(
    private readonly a: tf.Tensor2D,
    private readonly delta: tf.Tensor2D,
    private readonly hasBias: boolean,
  ) {}

  squaredNorms(): tf.Tensor1D {
    const deltaNorms = tf.sum(tf.square(this.delta), 1);
    const kernel: tf.Tensor1D = tf.mul(tf.sum(tf.square(this.a), 1), deltaNorms);
    return this.hasBias ? (tf.add(kernel, deltaNorms) as tf.Tensor1D) : kernel;
  }

  gram(): tf.Tensor2D {
    const deltaGram = matMul(this.delta, this.delta, false, true);
    const kernel: tf.Tensor2D = tf.mul(matMul(this.a, this.a, false, true), deltaGram);
    return this.hasBias ? (tf.add(kernel, deltaGram) as tf.Tensor2D) : kernel;
  }

  sumSquared(): tf.Tensor[] {
    const deltaSquared = tf.square(this.delta);
    const kernel = matMul(tf.square(this.a), deltaSquared, true, false);
    return this.hasBias ? [kernel, sumAxis(deltaSquared, 0)] : [kernel];
  }

  /**
   * With d = scale · mean_m a'_m δ'_mᵀ from an earlier pass: g_n·d = scale · mean_m (a_n·a'_m)(δ_n·δ'_m) (plus
   * δ_n·δ'_m for the bias), two Gram products of N·N'·(in + out) instead of one of N·in·out.
   */
  project(directions: readonly tf.Tensor[], earlier?: EarlierGradient): tf.Tensor1D {
    const previous = earlier?.factors;
    const [inSize, outSize] = [this.a.shape[1], this.delta.shape[1]];
    if (previous && previous.a.shape[0] * (inSize + outSize) < inSize * outSize) {
      const deltaCross = matMul(this.delta, previous.delta, false, true);
      const cross = tf.mul(matMul(this.a, previous.a, false, true), deltaCross);
      const withBias = this.hasBias ? tf.add(cross, deltaCross) : cross;
      return tf.mul(tf.sum(withBias, 1), earlier!.scale / previous.a.shape[0]);
    }
    const kernel: tf.Tensor1D = tf.sum(tf.mul(tf.matMul(this.a, directions[0] as tf.Tensor2D), this.delta), 1);
    if (!this.hasBias) return kernel;
    return tf.add(kernel, tf.reshape(tf.matMul(this.delta, tf.reshape(directions[1]!, [-1, 1])), [-1])) as tf.Tensor1D;
  }

  /** ḡ is this pass's own mean: the Gram route is the cross-Gram route with the layer's own factors. */
  meanProjections(mean: readonly tf.Tensor[]): tf.Tensor1D {
    return this.project(mean, { factors: this.factors(), scale: 1 });
  }

  factors(): GradientFactors {
    return { a: this.a, delta: this.delta };
  }

  individual(): tf.Tensor[] {
    const kernel = outerProducts(this.a, this.delta);
    return this.hasBias ? [kernel, this.delta] : [kernel];
  }

  histogram(axis: Axis): tf.Tensor1D {
    const kernel = outerBinCounts(this.a, this.delta, axis);
    return this.hasBias ? tf.add(kernel, binCounts(this.delta, axis)) : kernel;
  }

  countJobs(): CountJob[] {
    const d = hostValues(this.delta);
    const kernel: CountJob = { kind: 'outer', a: hostValues(this.a), d, n: this.a.shape[0] };
    return this.hasBias ? [kernel, { kind: 'values', x: d }] : [kernel];
  }

  histogram2d(axes: JointAxes, theta: readonly tf.Tensor[]): tf.Tensor1D[] {
    const kernel = outerJointCounts(this.a, this.delta, theta[0]!, axes);
    return this.hasBias ? [kernel, binCounts(this.delta, axes.x, { y: theta[1]!, axis: axes.y })] : [kernel];
  }

  /**
   * max_{n,i,j} |a_ni δ_nj| = max_n max_i|a_ni| · max_j|δ_nj|, and float32 rounding keeps the order of products, so
   * this equals the maximum over the materialised float32 products. The bias gradients δ_n are bounded by it only
   * up to a factor max|a|, so they count on their own.
   */
  absMax(): tf.Scalar {
    const deltaMax = tf.max(tf.abs(this.delta), 1);
    const kernel: tf.Scalar = tf.max(tf.mul(tf.max(tf.abs(this.a), 1), deltaMax));
    return this.hasBias ? (tf.maximum(kernel, tf.max(deltaMax)) as tf.Scalar) : kernel;
  }
}
