import * as tf from '@tensorflow/tfjs';
import { matMul, sumAxis } from '../linalg.js';
import { DenseGrads } from '../per-example/dense-grads.js';
import type { LayerGrads } from '../per-example/layer-grads.js';
import { AffineStep } from './affine.js';
import type { LayerVariable, ParametrisedStep } from './step.js';

/** y = a·W + b with W and b trained: an AffineStep with per-example gradients and curvature of its parameters. */
export class DenseStep extends AffineStep implements ParametrisedStep {
  readonly kind = 'dense';
  override readonly variables: readonly LayerVariable[];

  constructor(layerName: string, kernel: LayerVariable, bias: LayerVariable | undefined) {
    super(layerName, kernel, bias);
    this.variables = bias ? [kernel, bias] : [kernel];
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
