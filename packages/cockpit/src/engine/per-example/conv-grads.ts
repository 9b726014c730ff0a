import * as tf from '@tensorflow/tfjs';
import type { Axis, JointAxes } from '../../quantities/bin-counts.js';
import { batchProducts, matMul, sumAxis } from '../linalg.js';
import type { PatchLayout } from '../patches.js';
import type { LayerGrads } from './layer-grads.js';
import { MaterializedGrads } from './materialized-grads.js';

/**
 * A convolution's per-example gradients from its patches P [N, positions, taps] (made on demand, in either layout)
 * and output gradients Δ [N, positions, out]: G_n = P_nᵀ Δ_n, materialised only when needed. Gram matrices and norms take the factored
 * form g_n·g_m = Σ_{s,s'} (P_n P_mᵀ)[s,s'] (Δ_n Δ_mᵀ)[s,s'] when it is cheaper (few output positions).
 */
export class ConvGrads implements LayerGrads {
  private materialized?: MaterializedGrads;
  private gramOfFactors?: tf.Tensor2D;
  private readonly made = new Map<PatchLayout, tf.Tensor3D>();

  constructor(
    private readonly patchesOf: (layout: PatchLayout) => tf.Tensor3D,
    private readonly delta: tf.Tensor3D,
    private readonly kernelShape: number[],
    private readonly hasBias: boolean,
  ) {}

  private grads(): MaterializedGrads {
    if (!this.materialized) {
      const n = this.delta.shape[0];
      const kernel = tf.reshape(batchProducts(this.patches('columns'), this.delta), [n, ...this.kernelShape]);
      this.materialized = new MaterializedGrads(this.hasBias ? [kernel, sumAxis(this.delta, 1)] : [kernel]);
    }
    return this.materialized;
  }

  private patches(layout: PatchLayout): tf.Tensor3D {
    let p = this.made.get(layout);
    if (!p) this.made.set(layout, (p = this.patchesOf(layout)));
    return p;
  }

  /**
   * Whether the factored Gram (positions² · (taps + out) per pair) beats materialising (taps · out). Once the
   * gradients are materialised (a histogram needs them), products with them cost less than either.
   */
  private get factored(): boolean {
    if (this.materialized) return false;
    const [, positions] = this.delta.shape;
    const taps = this.kernelShape[0]! * this.kernelShape[1]! * this.kernelShape[2]!;
    const out = this.delta.shape[2];
    return positions * positions * (taps + out) < taps * out;
  }

  private factoredGram(): tf.Tensor2D {
    return (this.gramOfFactors ??= this.makeFactoredGram());
  }

  private makeFactoredGram(): tf.Tensor2D {
    const p = this.patches('rows');
    const [n, positions, taps] = p.shape;
    const out = this.delta.shape[2];
    const rowsP = tf.reshape(p, [n * positions, taps]) as tf.Tensor2D;
    const rowsD = tf.reshape(this.delta, [n * positions, out]) as tf.Tensor2D;
    const pairs = tf.mul(matMul(rowsP, rowsP, false, true), matMul(rowsD, rowsD, false, true));
    const kernel = sumAxis(tf.sum(tf.reshape(pairs, [n, positions, n, positions]), 3), 1) as tf.Tensor2D;
    if (!this.hasBias) return kernel;
    const bias = sumAxis(this.delta, 1) as tf.Tensor2D;
    return tf.add(kernel, matMul(bias, bias, false, true));
  }

  squaredNorms(): tf.Tensor1D {
    if (!this.factored) return this.grads().squaredNorms();
    const n = this.delta.shape[0];
    return tf.sum(tf.mul(this.factoredGram(), tf.eye(n)), 1);
  }

  gram(): tf.Tensor2D {
    return this.factored ? this.factoredGram() : this.grads().gram();
  }

  sumSquared(): tf.Tensor[] {
    return this.grads().sumSquared();
  }

  factors(): undefined {
    return undefined;
  }

  project(directions: readonly tf.Tensor[]): tf.Tensor1D {
    return this.grads().project(directions);
  }

  meanProjections(mean: readonly tf.Tensor[]): tf.Tensor1D {
    if (!this.factored) return this.grads().meanProjections(mean);
    return tf.mean(this.factoredGram(), 1);
  }

  individual(): tf.Tensor[] {
    return this.grads().individual();
  }

  histogram(axis: Axis): tf.Tensor1D {
    return this.grads().histogram(axis);
  }

  countJobs(): undefined {
    return undefined;
  }

  histogram2d(axes: JointAxes, theta: readonly tf.Tensor[]): tf.Tensor1D[] {
    return this.grads().histogram2d(axes, theta);
  }

  absMax(): tf.Scalar {
    return this.grads().absMax();
  }
}
