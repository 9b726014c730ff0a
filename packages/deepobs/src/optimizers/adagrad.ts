// Adagrad as TF's AdagradOptimizer (Crowded Valley's): the accumulator starts at initial_accumulator_value,
// a ← a + g², θ ← θ − lr·g/√a, with no ε (the accumulator is never 0). torch.optim.Adagrad with eps = 0 is the same.
import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer } from './stateful.js';

export class Adagrad extends SlotOptimizer<{ accumulator: tf.Variable }> {
  constructor(
    name: string,
    learningRate: number,
    private readonly initialAccumulator: number,
  ) {
    super(name, learningRate);
  }

  protected createSlots(variable: tf.Variable) {
    return { accumulator: tf.variable(tf.fill(variable.shape, this.initialAccumulator), false) };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, { accumulator }: { accumulator: tf.Variable }): void {
    const a = accumulator.add(grad.square());
    accumulator.assign(a);
    variable.assign(variable.sub(grad.div(a.sqrt()).mul(this.learningRate)));
  }
}
