import * as tf from '@tensorflow/tfjs';
import { linearMap } from './linear-map.js';
import type { ForwardContext, KnownStep, LayerVariable, Linearized } from './step.js';

/** Mean over height and width, NHWC [N, H, W, C] → [N, C] (All-CNN-C's last layer). */
export class GlobalAveragePoolingStep implements KnownStep {
  readonly variables: readonly LayerVariable[] = [];

  constructor(readonly layerName: string) {}

  outputShape(inputShape: number[]): number[] {
    return [inputShape[0]!, inputShape[3]!];
  }

  apply(a: tf.Tensor): tf.Tensor {
    return tf.mean(a, [1, 2]);
  }

  backpropFactors(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor {
    const [, height, width, channels] = a.shape as number[];
    const spread = tf.mul(tf.reshape(s, [columns * a.shape[0]!, 1, 1, channels!]), tf.ones([1, height!, width!, 1]));
    return tf.div(spread, height! * width!);
  }

  linearize(a: tf.Tensor, _gOut: tf.Tensor, ctx: ForwardContext): Linearized {
    return linearMap(this, a, ctx);
  }
}
