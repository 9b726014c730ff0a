// Adadelta (Zeiler 2012), as TF's AdadeltaOptimizer and torch.optim.Adadelta: a ← ρa + (1−ρ)g²;
// Δ = √(u + ε)/√(a + ε)·g; u ← ρu + (1−ρ)Δ²; θ ← θ − lr·Δ. Crowded Valley keeps TF's lr = 1e-3 (torch: 1.0).
import * as tf from '@tensorflow/tfjs';
import { SlotOptimizer, zerosSlot } from './stateful.js';

type AdadeltaSlots = { squares: tf.Variable; updates: tf.Variable };

export class Adadelta extends SlotOptimizer<AdadeltaSlots> {
  constructor(
    name: string,
    learningRate: number,
    private readonly rho: number,
    private readonly epsilon: number,
  ) {
    super(name, learningRate);
  }

  protected createSlots(variable: tf.Variable): AdadeltaSlots {
    return { squares: zerosSlot(variable), updates: zerosSlot(variable) };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, { squares, updates }: AdadeltaSlots): void {
    const { rho, epsilon } = this;
    const a = squares.mul(rho).add(grad.square().mul(1 - rho));
    const delta = updates.add(epsilon).sqrt().div(a.add(epsilon).sqrt()).mul(grad);
    squares.assign(a);
    updates.assign(updates.mul(rho).add(delta.square().mul(1 - rho)));
    variable.assign(variable.sub(delta.mul(this.learningRate)));
  }
}
