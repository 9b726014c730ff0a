// Brute-force references shared by the engine tests: finite differences, relative errors, seeded tensors.
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend } from '@flightdeck/core';

export const BACKENDS = ['cpu', 'wasm'] as const;

export async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  await selectBackend(name);
}

export function randn(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => scale * rng.normal()), shape);
}

/** How many trainable numbers a model has (countParams also counts frozen layers). */
export function trainableSize(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + w.read().size, 0);
}

/** ‖a − b‖ / ‖b‖ over lists of tensors. */
export function relativeError(a: tf.Tensor[], b: tf.Tensor[]): number {
  return tf.tidy(() => {
    const diff = a.reduce((s, t, i) => s + tf.sum(tf.square(tf.sub(t, b[i]!))).dataSync()[0]!, 0);
    const norm = b.reduce((s, t) => s + tf.sum(tf.square(t)).dataSync()[0]!, 0);
    return Math.sqrt(diff / norm);
  });
}

/** Central difference of the gradient along v: (∇f(θ + εv) − ∇f(θ − εv)) / 2ε. */
export function finiteDifferenceHvp(
  gradient: (params: tf.Tensor[]) => tf.Tensor[],
  params: tf.Tensor[],
  v: tf.Tensor[],
  eps = 1e-4,
): tf.Tensor[] {
  return tf.tidy(() => {
    const plus = gradient(params.map((p, i) => tf.add(p, tf.mul(eps, v[i]!))));
    const minus = gradient(params.map((p, i) => tf.sub(p, tf.mul(eps, v[i]!))));
    return plus.map((g, i) => tf.div(tf.sub(g, minus[i]!), 2 * eps));
  });
}

/** Hessian-vector product of f by double backprop: ∇(∇f · v). */
export function doubleBackpropHvp(f: (params: tf.Tensor[]) => tf.Scalar, params: tf.Tensor[], v: tf.Tensor[]): tf.Tensor[] {
  return tf.tidy(() =>
    tf.grads((...ps: tf.Tensor[]) => {
      const g = tf.grads((...qs: tf.Tensor[]) => f(qs))(ps);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i]!)))) as tf.Scalar;
    })(params),
  );
}
