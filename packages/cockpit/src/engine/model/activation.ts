import * as tf from '@tensorflow/tfjs';
import { mulPerExample } from './broadcast.js';
import type { ActivationStep, LayerVariable, Linearized } from './step.js';

export type ActivationName = 'relu' | 'sigmoid' | 'tanh';
export const ACTIVATIONS: readonly string[] = ['relu', 'sigmoid', 'tanh'];

interface Derivatives {
  apply(z: tf.Tensor): tf.Tensor;
  first(z: tf.Tensor): tf.Tensor;
  /** null where φ'' = 0 almost everywhere. */
  second(z: tf.Tensor): tf.Tensor | null;
}

const DERIVATIVES: Record<ActivationName, Derivatives> = {
  relu: { apply: tf.relu, first: (z) => tf.step(z), second: () => null },
  sigmoid: {
    apply: tf.sigmoid,
    first: (z) => {
      const s = tf.sigmoid(z);
      return tf.mul(s, tf.sub(1, s));
    },
    second: (z) => {
      const s = tf.sigmoid(z);
      return tf.mul(tf.mul(s, tf.sub(1, s)), tf.sub(1, tf.mul(2, s)));
    },
  },
  tanh: {
    apply: tf.tanh,
    first: (z) => tf.sub(1, tf.square(tf.tanh(z))),
    second: (z) => {
      const t = tf.tanh(z);
      return tf.mul(-2, tf.mul(t, tf.sub(1, tf.square(t))));
    },
  },
};

/** An elementwise activation, as its own layer or fused into a Dense/Conv2D layer. */
export class ElementwiseActivationStep implements ActivationStep {
  readonly kind = 'activation';
  readonly variables: readonly LayerVariable[] = [];
  private readonly derivatives: Derivatives;

  constructor(
    readonly layerName: string,
    readonly activation: ActivationName,
  ) {
    this.derivatives = DERIVATIVES[activation];
  }

  outputShape(inputShape: number[]): number[] {
    return inputShape;
  }

  apply(z: tf.Tensor): tf.Tensor {
    return this.derivatives.apply(z);
  }

  backpropFactors(s: tf.Tensor, columns: number, z: tf.Tensor): tf.Tensor {
    return mulPerExample(s, columns, this.derivatives.first(z));
  }

  residual(z: tf.Tensor, gOut: tf.Tensor): tf.Tensor | null {
    const second = this.derivatives.second(z);
    return second && tf.mul(second, gOut);
  }

  /** R{y} = φ'(z) R{z}; R{g_z} = φ'(z) R{gOut} + φ''(z) gOut R{z}. */
  linearize(z: tf.Tensor, gOut: tf.Tensor): Linearized {
    const [first, residual] = tf.tidy(() => [this.derivatives.first(z), this.residual(z, gOut) ?? []].flat()) as [tf.Tensor, tf.Tensor?];
    return {
      forward: (rz) => rz && tf.mul(first, rz),
      backward: (rz, rgOut, _rParams, withInput) => {
        if (!withInput) return { input: null, params: [] };
        const carried = tf.mul(first, rgOut);
        return { input: residual && rz ? tf.add(carried, tf.mul(residual, rz)) : carried, params: [] };
      },
      dispose: () => tf.dispose(residual ? [first, residual] : [first]),
    };
  }
}
