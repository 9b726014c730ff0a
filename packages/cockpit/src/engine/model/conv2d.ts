import * as tf from '@tensorflow/tfjs';
import { convKernelDiagonal } from '../curvature/conv-kernel-diagonal.js';
import { sumAxis } from '../linalg.js';
import { sumOfSquares } from '../sum-of-squares.js';
import { patches } from '../patches.js';
import type { LayerGrads } from '../per-example/layer-grads.js';
import { ConvGrads } from '../per-example/conv-grads.js';
import type { LayerVariable, Linearized, ParametrisedStep } from './step.js';

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

  /**
   * As Dense with convolutions: R{y} = conv(R{a}, W) + conv(a, R{W}) + R{b}; R{g_a} = convᵀ(R{gOut}, W) +
   * convᵀ(gOut, R{W}); R{g_W} = filterGrad(a, R{gOut}) + filterGrad(R{a}, gOut); R{g_b} = Σ R{gOut}.
   */
  linearize(a: tf.Tensor, gOut: tf.Tensor): Linearized {
    const [input, g] = [a as tf.Tensor4D, gOut as tf.Tensor4D];
    const kernel = this.kernel.read() as tf.Tensor4D;
    const conv = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, this.strides, this.pad);
    const inputGrad = (dy: tf.Tensor, w: tf.Tensor) => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, input.shape, this.strides, this.pad);
    const filterGrad = (x: tf.Tensor, dy: tf.Tensor) =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: this.strides, pad: this.pad, dataFormat: 'NHWC', filterShape: this.kernelShape }) as tf.Tensor4D;
    return {
      forward: (ra, [rKernel, rBias]) => {
        const moved = conv(input, rKernel!);
        const y = ra ? tf.add(moved, conv(ra, kernel)) : moved;
        return rBias ? tf.add(y, rBias) : y;
      },
      backward: (ra, rgOut, [rKernel], withInput) => {
        const alongOut = filterGrad(input, rgOut);
        const kernelGrad = ra ? tf.add(alongOut, filterGrad(ra, g)) : alongOut;
        const inputGradient = withInput ? tf.add(inputGrad(rgOut, kernel), inputGrad(g, rKernel!)) : null;
        const params = this.bias ? [kernelGrad, sumAxis(tf.reshape(rgOut, [-1, this.kernelShape[3]]), 0)] : [kernelGrad];
        return { input: inputGradient, params };
      },
      dispose: () => {},
    };
  }

  /** Conv2D's gradient by its filter and Add's by the broadcast bias, as tfjs takes them. */
  parameterGradients(a: tf.Tensor, delta: tf.Tensor): tf.Tensor[] {
    const attrs = { strides: this.strides, pad: this.pad, dataFormat: 'NHWC', filterShape: this.kernelShape };
    const kernel = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: a, dy: delta }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return this.bias ? [kernel, tf.reshape(tf.sum(delta, [0, 1, 2]), this.bias.shape as number[])] : [kernel];
  }

  /** Per-example gradients by im2col: G_n = P_nᵀ δ_n with the patches P_n [positions, kh·kw·in]. */
  perExample(a: tf.Tensor, delta: tf.Tensor): LayerGrads {
    const rows = tf.reshape(delta, [a.shape[0]!, -1, this.kernelShape[3]]) as tf.Tensor3D;
    const info = this.info(a.shape);
    return new ConvGrads((layout) => patches(a as tf.Tensor4D, info, layout), rows, this.kernelShape, this.bias !== undefined);
  }

  /**
   * Σ over examples and columns of the squared per-column gradients, G[c, n] = P_nᵀ S[c, n] (patches P_n). The
   * bias part is Σ (Σ_positions S)².
   */
  factorDiagonal(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor[] {
    const patchesT = patches(a as tf.Tensor4D, this.info(a.shape), 'columns');
    const [n, , positions] = patchesT.shape;
    const out = this.kernelShape[3];
    const rows = tf.reshape(s, [columns, n, positions, out]) as tf.Tensor4D;
    const kernel = tf.reshape(convKernelDiagonal(patchesT, rows), this.kernelShape);
    patchesT.dispose();
    if (!this.bias) return [kernel];
    const biasGrads = tf.reshape(sumAxis(rows, 2), [columns * n, out]);
    return [kernel, sumOfSquares(biasGrads)];
  }
}
