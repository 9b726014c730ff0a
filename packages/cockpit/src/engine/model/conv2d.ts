import * as tf from '@tensorflow/tfjs';
import { matMul, sumAxis, transposeLast } from '../linalg.js';
import { patches } from '../patches.js';
import type { LayerGrads } from '../per-example/layer-grads.js';
import { MaterializedGrads } from '../per-example/materialized-grads.js';
import type { LayerVariable, ParametrisedStep } from './step.js';

/** Floats per block of per-column gradients in factorDiagonal (16 MiB). */
const MAX_BLOCK_SIZE = 2 ** 22;

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
    const kernel = tf.reshape(transposeLast(matMul(rows, this.patches(a), true, false)), [n, ...this.kernelShape]);
    return new MaterializedGrads(this.bias ? [kernel, sumAxis(rows, 1)] : [kernel]);
  }

  /**
   * Columns in blocks, so that only one [block·N, out, kh·kw·in] set of per-column gradients exists at once:
   * G[c, n]ᵀ = S[c, n]ᵀ P_n with the patches P_n shared by all columns (broadcast batch matMul).
   */
  factorDiagonal(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor[] {
    const n = a.shape[0]!;
    const out = this.kernelShape[3];
    const p = this.patches(a);
    const perColumn = p.shape[2] * out * n;
    const block = Math.max(1, Math.min(columns, Math.floor(MAX_BLOCK_SIZE / perColumn)));
    const rows = tf.reshape(s, [columns, n, p.shape[1], out]);
    const shared = tf.expandDims(p, 0);
    let kernel = tf.zeros([out, p.shape[2]]);
    let bias = tf.zeros([out]);
    for (let c = 0; c < columns; c += block) {
      const [nextKernel, nextBias] = tf.tidy(() => {
        const size = Math.min(block, columns - c);
        const chunk = tf.slice(rows, [c, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D;
        const g = matMul(chunk, shared as tf.Tensor4D, true, false);
        const perColumn = (t: tf.Tensor) => tf.reshape(t, [size * n, ...t.shape.slice(2)]);
        const biasGrads = sumAxis(perColumn(chunk), 1);
        return [tf.add(kernel, sumAxis(perColumn(tf.square(g)), 0)), tf.add(bias, sumAxis(tf.square(biasGrads), 0))];
      });
      tf.dispose([kernel, bias]);
      [kernel, bias] = [nextKernel!, nextBias!];
    }
    tf.dispose([p, shared, rows]);
    const kernelDiagonal = tf.reshape(tf.transpose(kernel), this.kernelShape);
    kernel.dispose();
    return this.bias ? [kernelDiagonal, bias] : (bias.dispose(), [kernelDiagonal]);
  }

  private patches(a: tf.Tensor): tf.Tensor3D {
    return patches(a as tf.Tensor4D, this.info(a.shape));
  }
}
