import * as tf from '@tensorflow/tfjs';
import { maxPoolFactorBackprop } from '../curvature/max-pool-factors.js';
import { vjpPerColumn } from './broadcast.js';
import type { KnownStep, LayerVariable } from './step.js';

/** 2-D max or average pooling, NHWC. */
export class PoolingStep implements KnownStep {
  readonly variables: readonly LayerVariable[] = [];

  constructor(
    readonly layerName: string,
    readonly kind: 'maxPool' | 'avgPool',
    private readonly poolSize: [number, number],
    private readonly strides: [number, number],
    private readonly pad: 'same' | 'valid',
  ) {}

  outputShape(inputShape: number[]): number[] {
    const shape = inputShape as [number, number, number, number];
    return tf.backend_util.computePool2DInfo(shape, this.poolSize, this.strides, 1, this.pad).outShape;
  }

  apply(a: tf.Tensor): tf.Tensor {
    const pool = this.kind === 'maxPool' ? tf.maxPool : tf.avgPool;
    return pool(a as tf.Tensor4D, this.poolSize, this.strides, this.pad);
  }

  backpropFactors(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor {
    if (this.kind === 'maxPool') {
      const info = tf.backend_util.computePool2DInfo(a.shape as [number, number, number, number], this.poolSize, this.strides, 1, this.pad);
      return maxPoolFactorBackprop(s as tf.Tensor4D, columns, a as tf.Tensor4D, info);
    }
    return vjpPerColumn((t) => this.apply(t), s, columns, a);
  }
}
