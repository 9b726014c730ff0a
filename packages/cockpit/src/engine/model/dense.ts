import * as tf from '@tensorflow/tfjs';
import { matMul, sumAxis } from '../linalg.js';
import { DenseGrads } from '../per-example/dense-grads.js';
import type { LayerGrads } from '../per-example/layer-grads.js';
import type { LayerVariable, ParametrisedStep } from './step.js';

/** y = a·W + b for a [N, in], W [in, out] (tfjs layout). */
export class DenseStep implements ParametrisedStep {
  readonly kind = 'dense';
  readonly variables: readonly LayerVariable[];

  constructor(
    readonly layerName: string,
    private readonly kernel: LayerVariable,
    private readonly bias: LayerVariable | undefined,
  ) {
    this.variables = bias ? [kernel, bias] : [kernel];
  }

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

  perExample(a: tf.Tensor, delta: tf.Tensor): LayerGrads {
    return new DenseGrads(a as tf.Tensor2D, delta as tf.Tensor2D, this.bias !== undefined);
  }

  factorDiagonal(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor[] {
    const [n, out] = [a.shape[0]!, s.shape[1]!];
    const squares = sumAxis(tf.reshape(tf.square(s), [columns, n, out]), 0);
    const kernel = matMul(tf.square(a as tf.Tensor2D), squares, true, false);
    return this.bias ? [kernel, sumAxis(squares, 0)] : [kernel];
  }
}
