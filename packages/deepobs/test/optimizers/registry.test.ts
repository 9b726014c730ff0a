// The registry: the 15 Crowded Valley optimizers with the study's defaults (reference §5) and result-folder names,
// hyperparameter validation, and that every optimizer frees its state.
import * as tf from '@tensorflow/tfjs';
import { OPTIMIZERS, createOptimizer, getOptimizer, listOptimizers, resolveHyperparameters } from '../../src/optimizers/index.js';

// One-shot defaults and folder names of Crowded Valley (results_main/oneshot/<schedule>/<problem>/<folder>/...).
const CROWDED_VALLEY: Record<string, { folder: string; defaults: Record<string, number | boolean> }> = {
  SGD: { folder: 'GradientDescentOptimizer', defaults: { lr: 1e-2 } },
  Momentum: { folder: 'MomentumOptimizer', defaults: { lr: 1e-2, momentum: 0.99 } },
  Nesterov: { folder: 'NAGOptimizer', defaults: { lr: 1e-2, momentum: 0.99 } },
  Adam: { folder: 'AdamOptimizer', defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } },
  AMSGrad: { folder: 'AMSGrad', defaults: { lr: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } },
  Nadam: { folder: 'NadamOptimizer', defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
  RAdam: { folder: 'RAdamOptimizer', defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
  AdaBelief: { folder: 'AdaBeliefOptimizer', defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-14 } },
  AdaBound: {
    folder: 'AdaBoundOptimizer',
    defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, final_lr: 0.1, gamma: 1e-3 },
  },
  AMSBound: {
    folder: 'AMSBoundOptimizer',
    defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, final_lr: 0.1, gamma: 1e-3 },
  },
  Adagrad: { folder: 'AdagradOptimizer', defaults: { lr: 1e-2, initial_accumulator_value: 0.1 } },
  Adadelta: { folder: 'AdadeltaOptimizer', defaults: { lr: 1e-3, rho: 0.95, epsilon: 1e-8 } },
  RMSProp: { folder: 'RMSPropOptimizer', defaults: { lr: 1e-3, decay: 0.9, momentum: 0, epsilon: 1e-10, centered: false } },
  LookaheadMomentum: { folder: 'LookaheadOptimizerMBGDMomentum', defaults: { lr: 1e-2, momentum: 0.99, alpha: 0.5, k: 5 } },
  LookaheadRAdam: {
    folder: 'LookaheadOptimizerRAdam',
    defaults: { lr: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, alpha: 0.5, k: 5 },
  },
};

describe('optimizer registry', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('has the 15 Crowded Valley optimizers in the study’s order', () => {
    expect(Object.keys(OPTIMIZERS)).toEqual(Object.keys(CROWDED_VALLEY));
    expect(listOptimizers().slice(0, 15).map((s) => s.name)).toEqual(Object.keys(CROWDED_VALLEY));
  });

  it.each(Object.entries(CROWDED_VALLEY))('%s: defaults, folder name, documented hyperparameters', (name, expected) => {
    const spec = getOptimizer(name);
    expect(spec.folderName).toBe(expected.folder);
    expect(resolveHyperparameters(spec)).toEqual(expected.defaults);
    expect(spec.doc.length).toBeGreaterThan(10);
    for (const h of spec.hyperparameters) expect(h.doc.length).toBeGreaterThan(5);
    const lr = spec.hyperparameters.find((h) => h.name === 'lr');
    expect(lr?.tuning).toEqual({ distribution: 'log-uniform', low: 1e-4, high: 1 });
  });

  it('tunes the study’s parameters: ρ-type as 1 − LU[1e-4, 1], betas uniformly, ε never', () => {
    const tuning = (opt: string, hp: string) => getOptimizer(opt).hyperparameters.find((h) => h.name === hp)?.tuning;
    expect(tuning('Momentum', 'momentum')).toEqual({ distribution: 'one-minus-log-uniform', low: 1e-4, high: 1 });
    expect(tuning('Adadelta', 'rho')?.distribution).toBe('one-minus-log-uniform');
    expect(tuning('RMSProp', 'decay')?.distribution).toBe('one-minus-log-uniform');
    expect(tuning('Adam', 'beta1')).toEqual({ distribution: 'uniform', low: 0.5, high: 0.999 });
    expect(tuning('Adam', 'beta2')).toEqual({ distribution: 'uniform', low: 0.8, high: 0.999 });
    expect(tuning('Adam', 'epsilon')).toBeUndefined();
    expect(getOptimizer('Adagrad').hyperparameters.filter((h) => h.tuning).map((h) => h.name)).toEqual(['lr']);
    expect(getOptimizer('LookaheadRAdam').hyperparameters.find((h) => h.name === 'k')).toMatchObject({ type: 'int' });
  });

  it('rejects unknown names, wrong types and non-integers with messages that say what is accepted', () => {
    expect(() => getOptimizer('adam')).toThrow(/unknown optimizer "adam"\. Did you mean "Adam"\?.*SGD, Momentum/);
    expect(() => createOptimizer('Adam', { learning_rate: 0.1 })).toThrow(/Adam has no hyperparameter "learning_rate"; it accepts lr, beta1/);
    expect(() => createOptimizer('Adam', { lr: '0.1' })).toThrow(/"lr" must be a finite number, got 0.1/);
    expect(() => createOptimizer('Adam', { lr: NaN })).toThrow(/finite number/);
    expect(() => createOptimizer('RMSProp', { centered: 1 })).toThrow(/"centered" must be true or false/);
    expect(() => createOptimizer('LookaheadRAdam', { k: 2.5 })).toThrow(/"k" must be an integer/);
  });

  it('checks gradients against the variables', () => {
    const optimizer = createOptimizer('Adam');
    const v = tf.variable(tf.zeros([2, 3]), true, 'w');
    expect(() => optimizer.applyGradients([v], [])).toThrow(/1 variables but 0 gradients/);
    expect(() => optimizer.applyGradients([v], [undefined as unknown as tf.Tensor])).toThrow(/no gradient for variable "w"/);
    expect(() => optimizer.applyGradients([v], [tf.zeros([3, 2])])).toThrow(/gradient 0 has shape \[3,2\] but variable "w" has \[2,3\]/);
    optimizer.dispose();
    v.dispose();
  });

  it.each(Object.keys(CROWDED_VALLEY))('%s leaves no tensor behind after dispose()', (name) => {
    const variables = [tf.variable(tf.ones([4, 3])), tf.variable(tf.ones([3]))];
    const grads = [tf.fill([4, 3], 0.5), tf.fill([3], -0.25)];
    const before = tf.memory().numTensors;
    const optimizer = createOptimizer(name, name.startsWith('Lookahead') ? { k: 2 } : {});
    for (let i = 0; i < 3; i++) optimizer.applyGradients(variables, grads);
    expect(variables[0]!.dataSync()[0]).not.toBe(1);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...variables, ...grads]);
  });
});
