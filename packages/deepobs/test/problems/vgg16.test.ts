// The VGG-16 problems (134 M parameters, inputs resized to 224×224) at batch size 1 on wasm. A full training step
// takes about a minute on a 2-core machine, so cifar10_vgg16 takes one and cifar100_vgg16 (the same network with a
// 100-way head) checks its parameter count, a forward pass and the gradient of its head.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@flightdeck/core';
import { loadDataSet } from '../../src/data/index.js';
import { getTestProblem } from '../../src/problems/index.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function setup(name: string) {
  const problem = getTestProblem(name);
  const instance = problem.build({ seed: 1 });
  const data = loadDataSet(problem.dataset, { synthetic: true, seed: 3, syntheticSize: 8 });
  const batch = data.batches('train', 1).next().value!;
  return { problem, instance, batch };
}

const finiteSquaredNorm = (ts: tf.Tensor[]) => ts.reduce((s, g) => s + tf.sum(tf.square(g)).dataSync()[0], 0);

test('cifar10_vgg16: parameter count and one training step', () => {
  const { problem, instance, batch } = setup('cifar10_vgg16');
  expect(instance.variables.reduce((n, v) => n + v.size, 0)).toBe(problem.referenceParameterCount);
  const { value, grads } = tf.variableGrads(() => instance.loss(batch, 'train'), instance.variables);
  expect(Number.isFinite(value.dataSync()[0])).toBe(true);
  const ordered = instance.variables.map((v) => grads[v.name]);
  ordered.forEach((g, i) => expect(g.shape).toEqual(instance.variables[i].shape));
  expect(finiteSquaredNorm(ordered)).toBeGreaterThan(0);
  tf.dispose([value, ...ordered]);
  instance.dispose();
});

test('cifar100_vgg16: parameter count, evaluation and the head gradient', () => {
  const { problem, instance, batch } = setup('cifar100_vgg16');
  expect(instance.variables.reduce((n, v) => n + v.size, 0)).toBe(problem.referenceParameterCount);
  const { loss, accuracy } = instance.evaluate(batch, 'test');
  expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
  expect(accuracy).toBeDefined();
  const head = instance.variables.filter((_, i) => instance.parameterNames[i].startsWith('dense3/'));
  expect(head.map((v) => v.shape)).toEqual([[4096, 100], [100]]);
  const { value, grads } = tf.variableGrads(() => instance.loss(batch, 'train'), head);
  expect(finiteSquaredNorm(Object.values(grads))).toBeGreaterThan(0);
  tf.dispose([value, loss, accuracy ?? [], ...Object.values(grads)]);
  instance.dispose();
});
