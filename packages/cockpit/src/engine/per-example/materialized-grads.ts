import * as tf from '@tensorflow/tfjs';
import { type Axis, binCounts } from '../../quantities/bin-counts.js';
import { matMul, sumAxis } from '../linalg.js';
import type { LayerGrads } from './layer-grads.js';

/** Per-example gradients held explicitly, [N, ...shape] per parameter (convolutions, the exact loop). */
export class MaterializedGrads implements LayerGrads {
  constructor(private readonly grads: tf.Tensor[]) {}

  private flat(): tf.Tensor2D {
    const n = this.grads[0]!.shape[0]!;
    return tf.concat(this.grads.map((g) => tf.reshape(g, [n, -1])), 1) as tf.Tensor2D;
  }

  squaredNorms(): tf.Tensor1D {
    return tf.sum(tf.square(this.flat()), 1);
  }

  gram(): tf.Tensor2D {
    const flat = this.flat();
    return matMul(flat, flat, false, true);
  }

  sumSquared(): tf.Tensor[] {
    return this.grads.map((g) => sumAxis(tf.square(g), 0));
  }

  project(directions: readonly tf.Tensor[]): tf.Tensor1D {
    const d = tf.concat(directions.map((t) => tf.reshape(t, [-1, 1])), 0) as tf.Tensor2D;
    return tf.reshape(tf.matMul(this.flat(), d), [-1]);
  }

  individual(): tf.Tensor[] {
    return this.grads;
  }

  histogram(axis: Axis): tf.Tensor1D {
    return tf.addN(this.grads.map((g) => binCounts(g, axis)));
  }
}
