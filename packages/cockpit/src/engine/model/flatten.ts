import * as tf from '@tensorflow/tfjs';
import { linearMap } from './linear-map.js';
import type { ForwardContext, KnownStep, LayerVariable, Linearized } from './step.js';

export class FlattenStep implements KnownStep {
  readonly variables: readonly LayerVariable[] = [];

  constructor(readonly layerName: string) {}

  outputShape(inputShape: number[]): number[] {
    return [inputShape[0]!, inputShape.slice(1).reduce((x, y) => x * y, 1)];
  }

  apply(a: tf.Tensor): tf.Tensor {
    return tf.reshape(a, [a.shape[0]!, -1]);
  }

  backpropFactors(s: tf.Tensor, columns: number, a: tf.Tensor): tf.Tensor {
    return tf.reshape(s, [columns * a.shape[0]!, ...a.shape.slice(1)]);
  }

  linearize(a: tf.Tensor, _gOut: tf.Tensor, ctx: ForwardContext): Linearized {
    return linearMap(this, a, ctx);
  }
}
