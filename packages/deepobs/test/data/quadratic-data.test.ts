// quadratic_deep's data are DeepOBS's own: np.float32(RandomState(s).normal(0, 0.6, (1000, 100))) with s = 42 (train),
// 43 (test), 44 (valid), compared bit for bit with numpy run by the test; and the untrained model's test loss on them
// equals the one TensorFlow recorded in every DeepOBS 1.1 baseline file.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readResultFile } from '@flightdeck/core';
import { loadDataSet, type Split } from '../../src/data/index.js';
import { getTestProblem } from '../../src/problems/index.js';
import { evaluateSplit } from '../../src/runner/index.js';
import { BASELINES } from '../analyzer/baselines.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SCRIPT = `import base64, json
import numpy as np
draw = lambda seed: base64.b64encode(np.float32(np.random.RandomState(seed).normal(0.0, 0.6, (1000, 100))).astype('<f4').tobytes()).decode()
print(json.dumps({str(s): draw(s) for s in (42, 43, 44)}))`;

const numpyDraws: Record<string, string> = JSON.parse(execFileSync('/usr/bin/python3', ['-c', SCRIPT], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const numpyRows = (seed: number): Float32Array => {
  const bytes = Buffer.from(numpyDraws[seed], 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** The whole split as one batch of 1000 rows (train and train_eval come shuffled). */
function wholeSplit(split: Split, seed: number): Float32Array {
  const [batch] = [...loadDataSet('quadratic', { seed }).batches(split, 1000)];
  const rows = batch.inputs.dataSync() as Float32Array;
  batch.inputs.dispose();
  return rows;
}

const sortedRows = (data: Float32Array): string[] =>
  Array.from({ length: data.length / 100 }, (_, i) => Buffer.from(data.slice(i * 100, (i + 1) * 100).buffer).toString('hex')).sort();

test.each([['test', 43], ['valid', 44]] as const)('the %s split is numpy RandomState(%d), in order, bit for bit', (split, seed) => {
  expect(wholeSplit(split, 7)).toEqual(numpyRows(seed));
});

test('train and train_eval are the rows of numpy RandomState(42), shuffled by the run seed', () => {
  const expected = sortedRows(numpyRows(42));
  const train = wholeSplit('train', 7);
  expect(sortedRows(train)).toEqual(expected);
  expect(sortedRows(wholeSplit('train_eval', 7))).toEqual(expected);
  expect(train).not.toEqual(numpyRows(42));
  expect(wholeSplit('train', 8)).not.toEqual(train);
});

test("the untrained quadratic_deep's test loss at batch size 128 equals TensorFlow's in the baseline files", async () => {
  const file = join(BASELINES, 'quadratic_deep', 'MomentumOptimizer',
    'num_epochs__100__batch_size__128__momentum__9.9e-01__use_nesterov__False__lr__2.5118864315e-03', 'random_seed__43__2019-02-15-16-57-34.json');
  const read = await readResultFile(file);
  if (!read.ok) throw read.error;
  const tfLoss = read.result.metrics.test_losses?.[0] as number;
  expect(tfLoss).toBeGreaterThan(300);
  const instance = getTestProblem('quadratic_deep').build({ seed: 43 });
  const { loss } = await evaluateSplit(instance, loadDataSet('quadratic', { seed: 43 }), 'test', 128);
  instance.dispose();
  // float32 sums in both; other noise of the same distribution would be off by about a unit.
  expect(Math.abs(loss - tfLoss) / tfLoss).toBeLessThan(2e-6);
});

describe('train order', () => {
  const passes = (trainOrder: 'reshuffle' | 'fixed', split: Split = 'train') => {
    const data = loadDataSet('quadratic', { seed: 3, trainOrder });
    const pass = (s: Split) => [...data.batches(s, 128)].map((b) => {
      const rows = b.inputs.dataSync() as Float32Array;
      b.inputs.dispose();
      return rows;
    });
    return [pass('train'), pass(split), pass('train')];
  };

  test('reshuffle (default): every pass over train has a new order', () => {
    const [first, , second] = passes('reshuffle');
    expect(first).toHaveLength(7);
    expect(second).not.toEqual(first);
  });

  test("fixed (TensorFlow DeepOBS): every pass over train, and train_eval, repeats the run's one order", () => {
    const [first, trainEval, second] = passes('fixed', 'train_eval');
    expect(second).toEqual(first);
    expect(trainEval).toEqual(first);
    const other = loadDataSet('quadratic', { seed: 4, trainOrder: 'fixed' });
    const [batch] = [...other.batches('train', 128)];
    expect(batch.inputs.dataSync()).not.toEqual(first[0]);
    batch.inputs.dispose();
  });

  test('data sets without it, and unknown orders, are refused by name', () => {
    expect(() => loadDataSet('mnist', { seed: 1, synthetic: true, trainOrder: 'fixed' })).toThrow('data set "mnist": train order "fixed" is offered by the quadratic and 2-D data sets only');
    expect(() => loadDataSet('quadratic', { seed: 1, trainOrder: 'sorted' as 'fixed' })).toThrow('data set "quadratic": unknown train order "sorted"');
  });
});
