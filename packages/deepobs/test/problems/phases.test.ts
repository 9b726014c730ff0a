// Dropout and batch norm per phase: dropout masks only in `train` (fresh each step), batch statistics in `train`
// and the moving averages (updated by training passes) in every evaluation phase.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '@flightdeck/core';
import { loadDataSet } from '../../src/data/index.js';
import { getTestProblem } from '../../src/problems/index.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function setup(name: string) {
  const problem = getTestProblem(name);
  const instance = problem.build({ seed: 2 });
  const batch = loadDataSet(problem.dataset, { synthetic: true, seed: 1, syntheticSize: 400 }).batches('train', 2).next().value!;
  const value = (t: tf.Scalar) => {
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  };
  return { instance, batch, train: () => value(instance.loss(batch, 'train')), test: () => value(instance.evaluate(batch, 'test').loss) };
}

test.each(['cifar100_allcnnc', 'tolstoi_char_rnn'])('%s: dropout only while training, a new mask every step', (name) => {
  const { instance, train, test } = setup(name);
  instance.resetState?.();
  const a = test();
  instance.resetState?.();
  expect(test()).toBe(a);
  instance.resetState?.();
  const t1 = train();
  instance.resetState?.();
  const t2 = train();
  expect(t1).not.toBe(t2);
  instance.dispose();
});

test('svhn_wrn164: batch statistics in training, moving averages in evaluation', () => {
  const { instance, batch, train, test } = setup('svhn_wrn164');
  const before = test();
  expect(test()).toBe(before);
  // Training passes use the batch's own statistics: the same batch gives the same loss, however often.
  const t1 = train();
  expect(train()).toBeCloseTo(t1, 5);
  // ...and move the moving averages: evaluation changes after them.
  expect(test()).not.toBe(before);
  tf.dispose([batch.inputs, batch.targets ?? []]);
  instance.dispose();
});
