import * as tf from '@tensorflow/tfjs';
import { matMul } from '../linalg.js';
import type { KnownStep, LayerVariable } from './step.js';

/**
 * y = a·W + b of a Dense layer whose weights are all frozen (`layer.trainable = false`): a fixed linear map, which
 * carries curvature factors back like any other linear step and has no parameters of its own.
 */
export class FrozenDenseStep implements KnownStep {
  readonly variables: readonly LayerVariable[] = [];

  constructor(
    readonly layerName: string,
    private readonly kernel: LayerVariable,
    private readonly bias: LayerVariable | undefined,
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
}
