import * as tf from '@tensorflow/tfjs';
import { type Axis, binCounts, type JointAxes } from '../../quantities/bin-counts.js';
import { outerBinCounts } from '../../quantities/outer-bin-counts.js';
import { outerJointCounts } from '../../quantities/outer-joint-counts.js';
import { matMul, outerProducts, sumAxis } from '../linalg.js';
import type { LayerGrads } from './layer-grads.js';

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

  project(directions: readonly tf.Tensor[]): tf.Tensor1D {
    const kernel: tf.Tensor1D = tf.sum(tf.mul(tf.matMul(this.a, directions[0] as tf.Tensor2D), this.delta), 1);
    if (!this.hasBias) return kernel;
    return tf.add(kernel, tf.reshape(tf.matMul(this.delta, tf.reshape(directions[1]!, [-1, 1])), [-1])) as tf.Tensor1D;
  }

  individual(): tf.Tensor[] {
    const kernel = outerProducts(this.a, this.delta);
    return this.hasBias ? [kernel, this.delta] : [kernel];
  }

  histogram(axis: Axis): tf.Tensor1D {
    const kernel = outerBinCounts(this.a, this.delta, axis);
    return this.hasBias ? tf.add(kernel, binCounts(this.delta, axis)) : kernel;
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
