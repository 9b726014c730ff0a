// The R-operator Hessian-vector products against double backprop through the same chain (whose second-order
// gradients curvature.test.ts checks against finite differences), on every test problem and a model with dropout,
// plus the operator's reuse of its first-order pass: linearity, repeated products and no leaked tensors.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import { CallContext } from '../../src/engine/context.js';
import { stepShapes } from '../../src/engine/forward.js';
import { chainHessianOperator, chainHvp } from '../../src/engine/hvp.js';
import { hessianOperator, targetMatrix } from '../../src/engine/index.js';
import { chainOf } from '../../src/engine/model/chain.js';
import { BACKENDS, randn, relativeError, useBackend } from './helpers.js';
import { PROBLEMS, type Problem } from './models.js';

const L = tf.layers;

function dropoutProblem(seed: number): Problem {
  const rng = new Rng(seed);
  const model = tf.sequential({
    layers: [L.dense({ inputShape: [5], units: 8, activation: 'tanh' }), L.dropout({ rate: 0.5 }), L.dense({ units: 6, activation: 'relu' }), L.dense({ units: 3 })],
  });
  model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
  return { name: 'dropout', model, loss: 'softmax_cross_entropy', x: randn(rng, [6, 5]), y: tf.tensor1d([0, 1, 2, 2, 1, 0], 'int32') };
}

const problems: Record<string, (seed: number) => Problem> = { ...PROBLEMS, 'MLP tanh, dropout, relu, CE': dropoutProblem };

function directions(p: Problem, seed: number): tf.Tensor[] {
  const rng = new Rng(seed);
  return p.model.trainableWeights.map((w) => randn(rng, w.shape as number[]));
}

describe.each(BACKENDS)('Hessian-vector products on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(Object.keys(problems))('the R-operator equals double backprop: %s', (name) => {
    const p = problems[name]!(3);
    const chain = chainOf(p.model);
    expect(chain.opaque).toHaveLength(0);
    const ctx = new CallContext(11);
    const targets = targetMatrix(p.loss, p.y, stepShapes(chain, p.x.shape).at(-1)!);
    const operator = chainHessianOperator(chain, p.loss, p.x, targets, ctx);
    for (const seed of [1, 2]) {
      const v = directions(p, seed);
      const expected = chainHvp(chain, p.loss, p.x, targets, ctx, v);
      expect(relativeError(operator.apply(v), expected)).toBeLessThan(2e-5);
    }
    operator.dispose();
    ctx.dispose();
  });

  const leakChecked = ['CNN conv same + max pool, conv valid stride 2 + avg pool same, one-hot CE', 'MLP relu, softmax CE, int labels'];
  it.each(leakChecked)('reuses its pass: products are linear in v, repeatable, and nothing leaks: %s', (name) => {
    const p = PROBLEMS[name]!(5);
    const [v, w] = [directions(p, 1), directions(p, 2)];
    const before = tf.memory().numTensors;
    const operator = hessianOperator(p.model, p.loss, p.x, p.y, { seed: 3 });
    tf.tidy(() => {
      const [hv, hw] = [operator.apply(v), operator.apply(w)];
      const combined = operator.apply(v.map((t, i) => tf.add(tf.mul(2, t), w[i]!)));
      expect(relativeError(combined, hv.map((t, i) => tf.add(tf.mul(2, t), hw[i]!)))).toBeLessThan(1e-5);
      expect(relativeError(operator.apply(v), hv)).toBe(0);
    });
    operator.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes double backprop for a layer the fast path does not know', () => {
    const rng = new Rng(9);
    const model = tf.sequential({ layers: [L.dense({ inputShape: [3], units: 4, activation: 'softplus' }), L.dense({ units: 2 })] });
    model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
    const [x, y] = [randn(rng, [4, 3]), tf.tensor1d([0, 1, 1, 0], 'int32')];
    const chain = chainOf(model);
    const ctx = new CallContext(1);
    const targets = targetMatrix('softmax_cross_entropy', y, [4, 2]);
    const v = model.trainableWeights.map((t) => randn(rng, t.shape as number[]));
    const operator = chainHessianOperator(chain, 'softmax_cross_entropy', x, targets, ctx);
    expect(relativeError(operator.apply(v), chainHvp(chain, 'softmax_cross_entropy', x, targets, ctx, v))).toBe(0);
  });

  it('names the expected shapes when v does not match the parameters', () => {
    const p = PROBLEMS['MLP relu, softmax CE, int labels']!(1);
    const operator = hessianOperator(p.model, p.loss, p.x, p.y);
    expect(() => operator.apply([tf.zeros([5, 6])])).toThrow(/one tensor per parameter with shapes \[5,6\], \[6\], \[6,3\], \[3\]/);
    operator.dispose();
  });
});

describe('Hessian-vector products of chains that start without parameters', () => {
  beforeAll(() => useBackend('cpu'));

  it('skips the steps before the first parameter, and refuses a model without any', () => {
    const rng = new Rng(4);
    const model = tf.sequential({ layers: [L.flatten({ inputShape: [3, 2] }), L.dropout({ rate: 0.3 }), L.dense({ units: 4, activation: 'sigmoid' }), L.dense({ units: 2 })] });
    model.setWeights(model.getWeights().map((w) => randn(rng, w.shape, 0.6)));
    const [x, y] = [randn(rng, [5, 3, 2]), tf.tensor1d([0, 1, 1, 0, 1], 'int32')];
    const chain = chainOf(model);
    const ctx = new CallContext(2);
    const targets = targetMatrix('softmax_cross_entropy', y, [5, 2]);
    const v = model.trainableWeights.map((t) => randn(rng, t.shape as number[]));
    const operator = chainHessianOperator(chain, 'softmax_cross_entropy', x, targets, ctx);
    expect(relativeError(operator.apply(v), chainHvp(chain, 'softmax_cross_entropy', x, targets, ctx, v))).toBeLessThan(2e-5);
    const empty = tf.sequential({ layers: [L.flatten({ inputShape: [2, 2] })] });
    expect(() => hessianOperator(empty, 'mean_squared_error', randn(rng, [3, 2, 2]), randn(rng, [3, 4]))).toThrow(/no trainable parameters/);
  });
});
