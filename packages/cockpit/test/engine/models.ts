// Tiny models and batches for the engine tests, with seeded weights, and an independent reference for ℓ_n:
// tfjs-layers' own forward pass (layer.apply) and tfjs's built-in losses.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import type { LossKind } from '../../src/engine/index.js';
import { randn } from './helpers.js';

export interface Problem {
  name: string;
  model: tf.Sequential;
  loss: LossKind;
  x: tf.Tensor;
  y: tf.Tensor;
}

function seeded(model: tf.Sequential, rng: Rng, scale = 0.6): tf.Sequential {
  model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, scale)));
  return model;
}

function targets(loss: LossKind, rng: Rng, n: number, k: number, intLabels: boolean): tf.Tensor {
  if (loss === 'softmax_cross_entropy') {
    const labels = tf.tensor1d(Array.from({ length: n }, () => rng.int(k)), 'int32');
    return intLabels ? labels : tf.oneHot(labels, k).toFloat();
  }
  if (loss === 'sigmoid_cross_entropy') return tf.tensor2d(Array.from({ length: n * k }, () => rng.next()), [n, k]);
  return randn(rng, [n, k]);
}

const L = tf.layers;

/** Builders by name; each returns a fresh model and batch for a seed. */
export const PROBLEMS: Record<string, (seed: number) => Problem> = {
  'MLP relu, softmax CE, int labels': (seed) => {
    const rng = new Rng(seed);
    const model = tf.sequential({ layers: [L.dense({ inputShape: [5], units: 6, activation: 'relu' }), L.dense({ units: 3 })] });
    return { name: 'mlp', model: seeded(model, rng), loss: 'softmax_cross_entropy', x: randn(rng, [6, 5]), y: targets('softmax_cross_entropy', rng, 6, 3, true) };
  },
  'MLP tanh + sigmoid layers, MSE': (seed) => {
    const rng = new Rng(seed);
    const model = tf.sequential({
      layers: [
        L.dense({ inputShape: [4], units: 5, activation: 'tanh' }),
        L.dense({ units: 4 }),
        L.activation({ activation: 'sigmoid' }),
        L.dense({ units: 2 }),
      ],
    });
    return { name: 'mlp-mse', model: seeded(model, rng), loss: 'mean_squared_error', x: randn(rng, [5, 4]), y: targets('mean_squared_error', rng, 5, 2, false) };
  },
  'MLP with a frozen Dense layer between trainable ones, MSE': (seed) => {
    const rng = new Rng(seed);
    const model = tf.sequential({
      layers: [L.dense({ inputShape: [4], units: 5, activation: 'tanh' }), L.dense({ units: 3, trainable: false }), L.dense({ units: 2 })],
    });
    return { name: 'mlp-frozen', model: seeded(model, rng), loss: 'mean_squared_error', x: randn(rng, [5, 4]), y: targets('mean_squared_error', rng, 5, 2, false) };
  },
  'MLP ReLU layer without bias, sigmoid BCE': (seed) => {
    const rng = new Rng(seed);
    const model = tf.sequential({
      layers: [L.dense({ inputShape: [4], units: 6, useBias: false }), L.reLU(), L.dense({ units: 3, activation: 'sigmoid' }), L.dense({ units: 2 })],
    });
    return { name: 'mlp-bce', model: seeded(model, rng), loss: 'sigmoid_cross_entropy', x: randn(rng, [5, 4]), y: targets('sigmoid_cross_entropy', rng, 5, 2, false) };
  },
  'CNN conv same + max pool, conv valid stride 2 + avg pool same, one-hot CE': (seed) => {
    const rng = new Rng(seed);
    const model = tf.sequential({
      layers: [
        L.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }),
        L.maxPooling2d({ poolSize: 2, strides: 1, padding: 'valid' }),
        L.conv2d({ filters: 2, kernelSize: [2, 3], strides: 2, padding: 'valid' }),
        L.activation({ activation: 'tanh' }),
        L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
        L.flatten(),
        L.dense({ units: 3 }),
      ],
    });
    return {
      name: 'cnn',
      model: seeded(model, rng),
      loss: 'softmax_cross_entropy',
      x: randn(rng, [4, 5, 5, 1]),
      y: targets('softmax_cross_entropy', rng, 4, 3, false),
    };
  },
  'All-CNN-C shape: conv same stride 2, 1×1 conv, 3×3 valid conv to 1×1, global average pooling, CE': (seed) => {
    const rng = new Rng(seed);
    const model = tf.sequential({
      layers: [
        L.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        L.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }),
        // One output position: the engine takes the factored Gram for this layer.
        L.conv2d({ filters: 3, kernelSize: 3, padding: 'valid' }),
        L.globalAveragePooling2d({}),
      ],
    });
    return { name: 'allcnnc', model: seeded(model, rng), loss: 'softmax_cross_entropy', x: randn(rng, [4, 5, 5, 1]), y: targets('softmax_cross_entropy', rng, 4, 3, true) };
  },
  'CNN conv same stride 2 + max pool same, sigmoid BCE': (seed) => {
    const rng = new Rng(seed);
    const model = tf.sequential({
      layers: [
        L.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }),
        L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
        L.flatten(),
        L.dense({ units: 2 }),
      ],
    });
    return {
      name: 'cnn-bce',
      model: seeded(model, rng),
      loss: 'sigmoid_cross_entropy',
      x: randn(rng, [3, 6, 6, 1]),
      y: targets('sigmoid_cross_entropy', rng, 3, 2, false),
    };
  },
};

/** ℓ_n by tfjs's built-in (first-order) losses: an independent reference. */
export function referenceLoss(loss: LossKind, logits: tf.Tensor, y: tf.Tensor): tf.Scalar {
  const k = logits.shape[1]!;
  switch (loss) {
    case 'softmax_cross_entropy':
      return tf.losses.softmaxCrossEntropy(y.rank === 1 ? tf.oneHot(tf.cast(y, 'int32'), k) : y, logits) as tf.Scalar;
    case 'mean_squared_error':
      return tf.losses.meanSquaredError(y, logits) as tf.Scalar;
    case 'sigmoid_cross_entropy':
      return tf.losses.sigmoidCrossEntropy(y, logits) as tf.Scalar;
  }
}

/** Runs the model's own layers; Dropout layers multiply by the given masks instead (the engine's, re-drawn). */
export function referenceForward(model: tf.Sequential, x: tf.Tensor, masks: tf.Tensor[] = []): tf.Tensor {
  let m = 0;
  return model.layers.reduce((h, layer) => (layer.getClassName() === 'Dropout' ? tf.mul(h, masks[m++]!) : (layer.apply(h) as tf.Tensor)), x);
}

/** g_n = ∇ℓ_n for every example by a loop of tf.grad calls, flattened: number[N][D]. */
export function bruteForcePerExample(p: Problem, masks: tf.Tensor[] = []): number[][] {
  const params = p.model.trainableWeights.map((w) => w.read());
  return Array.from({ length: p.x.shape[0]! }, (_, n) =>
    tf.tidy(() => {
      const xn = tf.slice(p.x, n, 1);
      const yn = tf.slice(p.y, n, 1);
      const mn = masks.map((m) => tf.slice(m, n, 1));
      const g = tf.grads(() => referenceLoss(p.loss, referenceForward(p.model, xn, mn), yn))(params);
      return g.flatMap((t) => Array.from(t.dataSync()));
    }),
  );
}
