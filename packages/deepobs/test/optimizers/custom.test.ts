// The documented way to add an optimizer (optimizers/index.ts): a SlotOptimizer subclass, defineOptimizer,
// registerOptimizer. The example is sign-SGD with momentum (signum).
import * as tf from '@tensorflow/tfjs';
import type { Slots } from '../../src/optimizers/index.js';
import {
  SlotOptimizer,
  createOptimizer,
  defineOptimizer,
  getOptimizer,
  listOptimizers,
  num,
  registerOptimizer,
  zerosSlot,
} from '../../src/optimizers/index.js';

class Signum extends SlotOptimizer<Slots> {
  constructor(
    learningRate: number,
    private readonly beta: number,
  ) {
    super('Signum', learningRate);
  }

  protected createSlots(variable: tf.Variable): Slots {
    return { m: zerosSlot(variable) };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slots: Slots): void {
    const m = slots.m!.mul(this.beta).add(grad.mul(1 - this.beta));
    slots.m!.assign(m);
    variable.assign(variable.sub(m.sign().mul(this.learningRate)));
  }
}

const signum = defineOptimizer({
  name: 'Signum',
  folderName: 'Signum',
  doc: 'sign of a momentum average (Bernstein et al. 2018)',
  hyperparameters: [
    { name: 'lr', type: 'float', default: 1e-3, tuning: { distribution: 'log-uniform', low: 1e-5, high: 1e-1 }, doc: 'step size' },
    { name: 'beta', type: 'float', default: 0.9, doc: 'momentum average decay' },
  ],
  build: (values) => new Signum(num(values, 'lr'), num(values, 'beta')),
});

describe('adding an optimizer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    registerOptimizer(signum);
  });

  it('is found by name and listed after the built-ins', () => {
    expect(getOptimizer('Signum')).toBe(signum);
    expect(listOptimizers().map((s) => s.name).at(-1)).toBe('Signum');
    expect(() => registerOptimizer(signum)).toThrow(/already registered/);
    expect(() => registerOptimizer({ ...signum, name: 'Adam' })).toThrow(/"Adam" is already registered/);
  });

  it('runs its update rule with validated hyperparameters', () => {
    expect(() => createOptimizer('Signum', { momentum: 0.9 })).toThrow(/Signum has no hyperparameter "momentum"/);
    const optimizer = createOptimizer('Signum', { lr: 0.1 });
    const w = tf.variable(tf.tensor1d([1, 1, 1]));
    optimizer.applyGradients([w], [tf.tensor1d([2, -3, 0])]);
    optimizer.applyGradients([w], [tf.tensor1d([-1, -1, 0])]);
    // m after two steps: 0.9·0.1·g1 + 0.1·g2 = [0.08, -0.37, 0]; signs [+, −, 0] both times for the first two.
    expect(Array.from(w.dataSync()).map((x) => Number(x.toFixed(6)))).toEqual([0.8, 1.2, 1]);
    optimizer.dispose();
    w.dispose();
  });
});
