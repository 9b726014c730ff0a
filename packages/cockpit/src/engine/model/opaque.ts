import type * as tf from '@tensorflow/tfjs';
import type { LayerVariable, Step } from './step.js';

/**
 * A layer the fast path does not know, run as tfjs runs it (training mode). Per-example statistics of a model
 * with such a layer come from an exact loop over examples.
 */
export class OpaqueStep implements Step {
  readonly variables: readonly LayerVariable[];

  constructor(
    private readonly layer: tf.layers.Layer,
    readonly reason: string,
  ) {
    this.variables = layer.trainableWeights;
  }

  get layerName(): string {
    return this.layer.name;
  }

  outputShape(inputShape: number[]): number[] {
    return this.layer.computeOutputShape(inputShape) as number[];
  }

  apply(a: tf.Tensor): tf.Tensor {
    return this.layer.apply(a, { training: true }) as tf.Tensor;
  }
}
