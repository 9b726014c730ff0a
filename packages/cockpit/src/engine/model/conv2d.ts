import * as tf from '@tensorflow/tfjs';
import { matMul, sumAxis } from '../linalg.js';
import { patches } from '../patches.js';
import type { LayerGrads } from '../per-example/layer-grads.js';
import { ConvGrads } from '../per-example/conv-grads.js';
import type { LayerVariable, ParametrisedStep } from './step.js';

/** Floats per block of per-column gradients in factorDiagonal (16 MiB). */
const MAX_BLOCK_SIZE = 2 ** 22;
/** Floats of the patch Gram tensor [N, positions, positions, taps] of the factored form (64 MiB). */
const MAX_PATCH_GRAM_SIZE = 2 ** 24;

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
    const rows = tf.reshape(delta, [a.shape[0]!, -1, this.kernelShape[3]]) as tf.Tensor3D;
    return new ConvGrads(this.patches(a), rows, this.kernelShape, this.bias !== undefined);
  }

  /**
   * Σ over examples and columns of the squared per-column gradients, G[c, n] = P_nᵀ S[c, n] (patches P_n). The
   * bias part is Σ (Σ_positions S)². For the kernel, whichever is cheaper of: materialising G a block of columns at
   * a time, or (few output positions) the factored form Σ_n Σ_{s,s'} (P_n P_nᵀ)[s,s'] (S_n S_nᵀ)[s,s'] summed
   * over columns first, as one product.
   */
  factorDiagonal(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor[] {
    const p = this.patches(a);
    const [n, positions, taps] = p.shape;
    const out = this.kernelShape[3];
    const rows = tf.reshape(s, [columns, n, positions, out]) as tf.Tensor4D;
    const factored = positions <= 4 * columns && n * positions * positions * taps <= MAX_PATCH_GRAM_SIZE;
    const kernelT = factored ? factoredKernelDiagonal(p, rows) : blockedKernelDiagonal(p, rows);
    const kernel = tf.reshape(tf.transpose(kernelT), this.kernelShape);
    tf.dispose([p, kernelT]);
    if (!this.bias) return [kernel];
    const biasGrads = tf.reshape(sumAxis(rows, 2), [columns * n, out]);
    return [kernel, sumAxis(tf.square(biasGrads), 0)];
  }

  private patches(a: tf.Tensor): tf.Tensor3D {
    return patches(a as tf.Tensor4D, this.info(a.shape));
  }
}

/** [out, taps]: per-column gradients materialised a block of columns at a time (each block ≤ MAX_BLOCK_SIZE). */
function blockedKernelDiagonal(p: tf.Tensor3D, rows: tf.Tensor4D): tf.Tensor {
  const [columns, n, , out] = rows.shape;
  const block = Math.max(1, Math.min(columns, Math.floor(MAX_BLOCK_SIZE / (p.shape[2] * out * n))));
  const shared = tf.expandDims(p, 0) as tf.Tensor4D;
  let sum = tf.zeros([out, p.shape[2]]);
  for (let c = 0; c < columns; c += block) {
    const next = tf.tidy(() => {
      const size = Math.min(block, columns - c);
      const g = matMul(tf.slice(rows, [c, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D, shared, true, false);
      return tf.add(sum, sumAxis(tf.reshape(tf.square(g), [size * n, out, -1]), 0));
    });
    sum.dispose();
    sum = next;
  }
  shared.dispose();
  return sum;
}

/** [out, taps]: Σ_n Σ_{s,s'} (S_n S_nᵀ)[s, s', o] (P_n P_nᵀ)[s, s', k], with S_n S_nᵀ summed over columns. */
function factoredKernelDiagonal(p: tf.Tensor3D, rows: tf.Tensor4D): tf.Tensor {
  const [, n, positions, out] = rows.shape;
  const taps = p.shape[2];
  const perOutput = tf.transpose(rows, [1, 3, 2, 0]); // [N, out, positions, columns]
  const outputGram = tf.transpose(matMul(perOutput, perOutput, false, true), [0, 2, 3, 1]); // [N, s, s', out]
  const patchGram = tf.mul(tf.reshape(p, [n, positions, 1, taps]), tf.reshape(p, [n, 1, positions, taps]));
  const pairs = n * positions * positions;
  return matMul(tf.reshape(outputGram, [pairs, out]) as tf.Tensor2D, tf.reshape(patchGram, [pairs, taps]) as tf.Tensor2D, true, false);
}
