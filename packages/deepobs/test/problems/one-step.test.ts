// Every test problem: its trainable parameter count equals the reference, and one SGD step on synthetic data of the
// real shape gives a finite loss and a finite gradient of the right shape for every parameter.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@flightdeck/core';
import { loadDataSet } from '../../src/data/index.js';
import { TEST_PROBLEMS } from '../../src/problems/index.js';

const EXPECTED = [
  'two_d_rosenbrock', 'two_d_beale', 'two_d_branin', 'quadratic_deep', 'mnist_logreg', 'mnist_mlp', 'mnist_2c2d',
  'mnist_vae', 'fmnist_logreg', 'fmnist_mlp', 'fmnist_2c2d', 'fmnist_vae', 'cifar10_3c3d', 'cifar100_3c3d',
  'cifar100_allcnnc', 'svhn_3c3d', 'svhn_wrn164', 'tolstoi_char_rnn', 'cifar10_vgg16', 'cifar100_vgg16',
];

const BATCH_SIZE = 2;
// The VGGs (134 M parameters, 224×224 inputs; about a minute per step on wasm) have their own file, vgg16.test.ts.
const VGG = ['cifar10_vgg16', 'cifar100_vgg16'];

beforeAll(async () => {
  await selectBackend('wasm');
});

test('the registry has exactly the problems of issue 4', () => {
  expect([...TEST_PROBLEMS.keys()].sort()).toEqual([...EXPECTED].sort());
});

describe.each(EXPECTED.filter((n) => !VGG.includes(n)))('%s', (name) => {
  test('parameter count equals the reference; one training step on synthetic data gives a finite loss and gradient', () => {
    const problem = TEST_PROBLEMS.get(name)!;
    const instance = problem.build({ seed: 1 });
    try {
      const count = instance.variables.reduce((n, v) => n + v.size, 0);
      expect(count).toBe(problem.referenceParameterCount);
      expect(instance.parameterNames).toHaveLength(instance.variables.length);
      expect(new Set(instance.parameterNames).size).toBe(instance.parameterNames.length);

      const data = loadDataSet(problem.dataset, { synthetic: true, seed: 3, syntheticSize: 200 });
      const batch = data.batches('train', BATCH_SIZE).next().value!;
      const before = instance.evaluate(batch, 'test');
      expect(Number.isFinite(before.loss.dataSync()[0])).toBe(true);
      const { value, grads } = tf.variableGrads(() => instance.loss(batch, 'train'), instance.variables);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      const ordered = instance.variables.map((v) => grads[v.name]);
      ordered.forEach((g, i) => expect(g?.shape).toEqual(instance.variables[i].shape));
      const gradNorm2 = ordered.reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0);
      expect(Number.isFinite(gradNorm2)).toBe(true);
      expect(gradNorm2).toBeGreaterThan(0);
      if (problem.hasAccuracy) expect(before.accuracy).toBeDefined();
      tf.dispose([value, ...ordered, batch.inputs, batch.targets ?? [], before.loss, before.accuracy ?? []]);
    } finally {
      instance.dispose();
    }
  });
});
