import * as tf from '@tensorflow/tfjs';
import { matMul } from '../linalg.js';
import type { KnownStep, LayerVariable, Linearized } from './step.js';

/**
 * y = a·W + b for a [N, in], W [in, out] (tfjs layout). On its own it is a Dense layer whose weights are all frozen
 * (`layer.trainable = false`): a fixed map with no parameters of its own, carrying curvature factors back like any
 * other linear step. DenseStep adds the parameters.
 */
export class AffineStep implements KnownStep {
  readonly variables: readonly LayerVariable[] = [];

  constructor(
    readonly layerName: string,
    protected readonly kernel: LayerVariable,
    protected readonly bias: LayerVariable | undefined,
  ) {}

  outputShape(inputShape: number[]): number[] {
    return [inputShape[0]!, this.kernel.shape[1]!];
  }

  apply(a: tf.Tensor): tf.Tensor {
    const z = tf.matMul(a as tf.Tensor2D, this.kernel.read() as tf.Tensor2D);
    return this.bias ? tf.add(z, this.bias.read()) : z;
  }

  backpropFactors(s: tf.Tensor): tf.Tensor {
    return matMul(s as tf.Tensor2D, this.kernel.read() as tf.Tensor2D, false, true);
  }

  /** A fixed affine map: R{y} = R{a}·W. */
  linearize(_a: tf.Tensor, _gOut: tf.Tensor): Linearized {
    return {
      forward: (ra) => ra && tf.matMul(ra as tf.Tensor2D, this.kernel.read() as tf.Tensor2D),
      backward: (_ra, rgOut, _rParams, withInput) => ({ input: withInput ? this.backpropFactors(rgOut) : null, params: [] }),
      dispose: () => {},
    };
  }
}
