// A tiny classification problem for Cockpit tests: an MLP with seeded weights and seeded random batches.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';

export function tinyMlp(seed = 1): tf.Sequential {
  const rng = new Rng(seed);
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 5, inputShape: [6], activation: 'relu' }), tf.layers.dense({ units: 3 })],
  });
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.normal(0, 0.5)), w.shape)));
  return model;
}

export function batches(count: number, n = 8, seed = 2): { x: tf.Tensor2D; y: tf.Tensor1D }[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => ({
    x: tf.tensor2d(Float32Array.from({ length: n * 6 }, () => rng.normal()), [n, 6]),
    y: tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(3)), 'int32'),
  }));
}

/** Mean softmax cross-entropy written out, for plain training without the Cockpit. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), tf.logSoftmax(logits)), 1))) as tf.Scalar);
}

export async function weights(model: tf.LayersModel): Promise<number[]> {
  return (await Promise.all(model.trainableWeights.map(async (w) => Array.from(await w.read().data())))).flat();
}
