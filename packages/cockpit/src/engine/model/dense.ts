import * as tf from '@tensorflow/tfjs';
import { matMul, sumAxis } from '../linalg.js';
import { sumOfSquares } from '../sum-of-squares.js';
import { DenseGrads } from '../per-example/dense-grads.js';
import type { LayerGrads } from '../per-example/layer-grads.js';
import { AffineStep } from './affine.js';
import type { LayerVariable, Linearized, ParametrisedStep } from './step.js';

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

  /** MatMul's gradient by its right operand and Add's by the broadcast bias, as tfjs takes them. */
  parameterGradients(a: tf.Tensor, delta: tf.Tensor): tf.Tensor[] {
    const kernel = tf.matMul(a as tf.Tensor2D, delta as tf.Tensor2D, true, false);
    return this.bias ? [kernel, tf.reshape(tf.sum(delta, [0]), this.bias.shape as number[])] : [kernel];
  }

  /**
   * R{y} = R{a}·W + a·R{W} + R{b}; R{g_a} = R{gOut}·Wᵀ + gOut·R{W}ᵀ; R{g_W} = aᵀ·R{gOut} + R{a}ᵀ·gOut;
   * R{g_b} = Σ_n R{gOut}.
   */
  override linearize(a: tf.Tensor, gOut: tf.Tensor): Linearized {
    const [input, g] = [a as tf.Tensor2D, gOut as tf.Tensor2D];
    const kernel = this.kernel.read() as tf.Tensor2D;
    return {
      forward: (ra, [rKernel, rBias]) => {
        const moved = tf.matMul(input, rKernel as tf.Tensor2D);
        const y = ra ? tf.add(moved, tf.matMul(ra as tf.Tensor2D, kernel)) : moved;
        return rBias ? tf.add(y, rBias) : y;
      },
      backward: (ra, rgOut, [rKernel], withInput) => {
        const rg = rgOut as tf.Tensor2D;
        const alongOut = matMul(input, rg, true, false);
        const kernelGrad = ra ? tf.add(alongOut, matMul(ra as tf.Tensor2D, g, true, false)) : alongOut;
        const inputGrad = withInput ? tf.add(matMul(rg, kernel, false, true), matMul(g, rKernel as tf.Tensor2D, false, true)) : null;
        return { input: inputGrad, params: this.bias ? [kernelGrad, sumAxis(rg, 0)] : [kernelGrad] };
      },
      dispose: () => {},
    };
  }

  factorDiagonal(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor[] {
    const [n, out] = [a.shape[0]!, s.shape[1]!];
    const squares = sumOfSquares(tf.reshape(s, [columns, n, out])) as tf.Tensor2D;
    const kernel = matMul(tf.square(a as tf.Tensor2D), squares, true, false);
    return this.bias ? [kernel, sumAxis(squares, 0)] : [kernel];
  }
}
