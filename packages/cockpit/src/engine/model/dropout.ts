import * as tf from '@tensorflow/tfjs';
import { mulPerExample } from './broadcast.js';
import { linearMap } from './linear-map.js';
import type { ForwardContext, KnownStep, LayerVariable, Linearized } from './step.js';

/** Inverted dropout in training mode, with the call's mask: a linear map per example. */
export class DropoutStep implements KnownStep {
  readonly variables: readonly LayerVariable[] = [];

  constructor(
    readonly layerName: string,
    readonly rate: number,
  ) {}

  outputShape(inputShape: number[]): number[] {
    return inputShape;
  }

  apply(a: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.mul(a, ctx.dropoutMask(this, a.shape, this.rate));
  }

  backpropFactors(s: tf.Tensor, columns: number, a: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return mulPerExample(s, columns, ctx.dropoutMask(this, a.shape, this.rate));
  }

  linearize(a: tf.Tensor, _gOut: tf.Tensor, ctx: ForwardContext): Linearized {
    return linearMap(this, a, ctx);
  }
}
