import * as tf from '@tensorflow/tfjs';
import { type Axis, binCounts, type JointAxes } from '../../quantities/bin-counts.js';
import { matMul } from '../linalg.js';
import { rowSquaredNorms } from '../row-squared-norms.js';
import { sumOfSquares } from '../sum-of-squares.js';
import type { LayerGrads } from './layer-grads.js';

/**
 * Per-example gradients held explicitly, [N, ...shape] per parameter (convolutions, the exact loop). Statistics are
 * summed over the parameters one by one: concatenating them first copies every gradient once more.
 */
export class MaterializedGrads implements LayerGrads {
  constructor(private readonly grads: tf.Tensor[]) {}

  /** Each parameter's gradients as rows [N, size]. */
  private rows(): tf.Tensor2D[] {
    const n = this.grads[0]!.shape[0]!;
    return this.grads.map((g) => tf.reshape(g, [n, -1]) as tf.Tensor2D);
  }

  squaredNorms(): tf.Tensor1D {
    return tf.addN(this.rows().map((r) => rowSquaredNorms(r)));
  }

  gram(): tf.Tensor2D {
    return tf.addN(this.rows().map((r) => matMul(r, r, false, true)));
  }

  sumSquared(): tf.Tensor[] {
    return this.grads.map((g) => sumOfSquares(g));
  }

  factors(): undefined {
    return undefined;
  }

  project(directions: readonly tf.Tensor[]): tf.Tensor1D {
    return tf.reshape(tf.addN(this.rows().map((r, p) => tf.matMul(r, tf.reshape(directions[p]!, [-1, 1])))), [-1]);
  }

  /** N·size multiply-adds, against N²·size for the Gram matrix's row means. */
  meanProjections(mean: readonly tf.Tensor[]): tf.Tensor1D {
    return this.project(mean);
  }

  individual(): tf.Tensor[] {
    return this.grads;
  }

  histogram(axis: Axis): tf.Tensor1D {
    return tf.addN(this.grads.map((g) => binCounts(g, axis)));
  }

  countJobs(): undefined {
    return undefined;
  }

  histogram2d(axes: JointAxes, theta: readonly tf.Tensor[]): tf.Tensor1D[] {
    return this.grads.map((g, p) => binCounts(g, axes.x, { y: theta[p]!, axis: axes.y }));
  }

  absMax(): tf.Scalar {
    return tf.max(tf.stack(this.grads.map((g) => tf.max(tf.abs(g)))));
  }
}
