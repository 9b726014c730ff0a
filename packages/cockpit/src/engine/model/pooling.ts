import * as tf from '@tensorflow/tfjs';
import { MaxPoolRouting, maxPoolFactorBackprop } from '../curvature/max-pool-factors.js';
import { vjpPerColumn } from './broadcast.js';
import { linearMap } from './linear-map.js';
import type { ForwardContext, KnownStep, LayerVariable, Linearized } from './step.js';

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

  private info(a: tf.Tensor): tf.backend_util.Conv2DInfo {
    return tf.backend_util.computePool2DInfo(a.shape as [number, number, number, number], this.poolSize, this.strides, 1, this.pad);
  }

  backpropFactors(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor {
    if (this.kind === 'maxPool') return maxPoolFactorBackprop(s as tf.Tensor4D, columns, a as tf.Tensor4D, this.info(a));
    return vjpPerColumn((t) => this.apply(t), s, columns, a);
  }

  /** Max pooling is linear where its maxima stay: directions follow the routing of this input. */
  linearize(a: tf.Tensor, _gOut: tf.Tensor, ctx: ForwardContext): Linearized {
    if (this.kind === 'avgPool') return linearMap(this, a, ctx);
    const routing = new MaxPoolRouting(a as tf.Tensor4D, this.info(a));
    return {
      forward: (ra) => ra && routing.gather(ra),
      backward: (_ra, rgOut, _rParams, withInput) => ({ input: withInput ? routing.scatter(rgOut, 1) : null, params: [] }),
      dispose: () => routing.dispose(),
    };
  }
}
