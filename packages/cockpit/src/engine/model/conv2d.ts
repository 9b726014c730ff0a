import * as tf from '@tensorflow/tfjs';
import { patches } from '../patches.js';
import type { LayerGrads } from '../per-example/layer-grads.js';
import { MaterializedGrads } from '../per-example/materialized-grads.js';
import type { LayerVariable, ParametrisedStep } from './step.js';

/** 2-D convolution (NHWC, kernel [kh, kw, in, out], no dilation) plus bias. */
export class Conv2DStep implements ParametrisedStep {
  readonly kind = 'conv2d';
  readonly variables: readonly LayerVariable[];

  constructor(
    readonly layerName: string,
    private readonly kernel: LayerVariable,
    private readonly bias: LayerVariable | undefined,
    private readonly strides: [number, number],
    private readonly pad: 'same' | 'valid',
  ) {
    this.variables = bias ? [kernel, bias] : [kernel];
    this.kernelShape = kernel.shape as [number, number, number, number];
  }

  private readonly kernelShape: [number, number, number, number];

  private info(inputShape: number[]): tf.backend_util.Conv2DInfo {
    return tf.backend_util.computeConv2DInfo(inputShape as [number, number, number, number], this.kernelShape, this.strides, 1, this.pad);
  }

  outputShape(inputShape: number[]): number[] {
    return this.info(inputShape).outShape;
  }

  apply(a: tf.Tensor): tf.Tensor {
    const z = tf.conv2d(a as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, this.strides, this.pad);
    return this.bias ? tf.add(z, this.bias.read()) : z;
  }

  backpropFactors(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor {
    const inputShape = [columns * a.shape[0]!, ...a.shape.slice(1)] as [number, number, number, number];
    return tf.conv2dTranspose(s as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, inputShape, this.strides, this.pad);
  }

  /** Per-example gradients by im2col: G_n = P_nᵀ δ_n with the patches P_n [positions, kh·kw·in]. */
  perExample(a: tf.Tensor, delta: tf.Tensor): LayerGrads {
    const n = a.shape[0]!;
    const out = this.kernelShape[3];
    const rows = tf.reshape(delta, [n, -1, out]) as tf.Tensor3D;
    const kernel = tf.reshape(tf.matMul(this.patches(a), rows, true, false), [n, ...this.kernelShape]);
    return new MaterializedGrads(this.bias ? [kernel, tf.sum(rows, 1)] : [kernel]);
  }

  /** One column at a time, so that only one [N, kh·kw·in, out] block of per-example gradients exists at once. */
  factorDiagonal(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor[] {
    const n = a.shape[0]!;
    const out = this.kernelShape[3];
    const p = this.patches(a);
    const rows = tf.reshape(s, [columns, n, -1, out]);
    let kernel = tf.zeros(this.kernelShape);
    let bias = tf.zeros([out]);
    for (let c = 0; c < columns; c++) {
      const [nextKernel, nextBias] = tf.tidy(() => {
        const column = tf.reshape(tf.slice(rows, [c, 0, 0, 0], [1, n, -1, out]), [n, -1, out]) as tf.Tensor3D;
        const g = tf.sum(tf.square(tf.matMul(p, column, true, false)), 0);
        return [tf.add(kernel, tf.reshape(g, this.kernelShape)), tf.add(bias, tf.sum(tf.square(tf.sum(column, 1)), 0))];
      });
      tf.dispose([kernel, bias]);
      [kernel, bias] = [nextKernel!, nextBias!];
    }
    p.dispose();
    return this.bias ? [kernel, bias] : (bias.dispose(), [kernel]);
  }

  private patches(a: tf.Tensor): tf.Tensor3D {
    return patches(a as tf.Tensor4D, this.info(a.shape));
  }
}
