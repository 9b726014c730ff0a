// The contract between optimizers and runners. Optimizers own their state; runners own the learning rate schedule.
import type * as tf from '@tensorflow/tfjs';

export type HyperparameterValue = number | boolean;

export interface HyperparameterSpec {
  name: string;
  type: 'float' | 'int' | 'bool';
  /** Absent: the user must give it (the learning rate usually). */
  default?: HyperparameterValue;
  /**
   * Crowded Valley tuning space, when the study tunes it. `one-minus-log-uniform` draws x log-uniformly in
   * [low, high] and uses 1 − x (momentum-like parameters close to 1); `int` parameters draw uniform integers.
   */
  tuning?: { distribution: 'log-uniform' | 'uniform' | 'one-minus-log-uniform'; low: number; high: number };
  doc: string;
}

/** One optimizer instance for one run: it updates the given variables in place. */
export interface Optimizer {
  readonly name: string;
  /** Learning rate of the next update; runners set it per epoch for schedules. */
  learningRate: number;
  /** One update θ ← update(θ, ∇L). Gradients are in the same order as the variables; they are not disposed. */
  applyGradients(variables: tf.Variable[], grads: tf.Tensor[]): void;
  dispose(): void;
}

export interface OptimizerSpec {
  /** Crowded Valley name, e.g. "Momentum", "AdaBelief", "LookaheadRAdam". */
  name: string;
  /** Folder name in DeepOBS output (DeepOBS 1.2 uses the optimizer class name, e.g. "MomentumOptimizer" / "SGD"). */
  folderName: string;
  /** Its hyperparameters; the learning rate is always "lr" (as DeepOBS-PyTorch writes it in the output JSON). */
  hyperparameters: HyperparameterSpec[];
  create(hyperparameters: Record<string, HyperparameterValue>): Optimizer;
  doc: string;
}
