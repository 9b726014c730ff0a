import type * as tf from '@tensorflow/tfjs';
import type { Batch, DataSetName } from '../data/index.js';

/** DeepOBS phases. Dropout and batch-norm batch statistics are active only in `train`. */
export type Phase = 'train' | 'train_eval' | 'valid' | 'test';

/** The mean losses Cockpit's engine knows (kept equal to @flightdeck/cockpit's LossKind). */
export type LossKind = 'softmax_cross_entropy' | 'mean_squared_error' | 'sigmoid_cross_entropy';

export interface BuildOptions {
  /** Seeds the initialisation and every random op of the model (dropout masks, VAE samples). */
  seed: number;
  /** L2 factor λ of the regulariser (λ/2)·Σ‖W‖²; undefined = the problem's default. */
  weightDecay?: number;
}

/** A test problem instantiated for one run: its parameters and its loss. */
export interface ProblemInstance {
  /** Trainable parameters, in a fixed order (optimizers and per-parameter quantities follow it). */
  readonly variables: tf.Variable[];
  /** One readable name per variable ("conv1/kernel", "lstm2/bias", ...). */
  readonly parameterNames: string[];
  /**
   * For problems that are a plain layer chain (Dense/Conv2D/pooling/activations/Flatten/Dropout): the model that
   * maps `batch.inputs` to the outputs the loss `lossKind` compares with `batch.targets`, so Cockpit can
   * instrument it. The regulariser is not part of it.
   */
  readonly model?: tf.Sequential;
  readonly lossKind?: LossKind;
  /**
   * The L2 term of the loss, (weightDecay/2)·Σ‖W‖² over `variables`, for callers that compute the data loss
   * through `model` themselves (Cockpit) and must add it back. Absent when the problem has none.
   */
  readonly regularizer?: { weightDecay: number; variables: tf.Variable[] };
  /** Input transformation applied before `model` (the VGGs resize to 224×224); identity when absent. */
  prepareInputs?(inputs: tf.Tensor): tf.Tensor;
  /** The targets `lossKind` compares `model`'s outputs with, when they are not `batch.targets` (quadratic_deep). */
  prepareTargets?(batch: Batch): tf.Tensor;
  /** Mean loss of the mini-batch plus the regulariser, as DeepOBS optimises and reports it. */
  loss(batch: Batch, phase: Phase): tf.Scalar;
  /** Loss and (for classifiers) accuracy from one forward pass. */
  evaluate(batch: Batch, phase: Phase): { loss: tf.Scalar; accuracy?: tf.Scalar };
  /** Stateful problems (the char RNN) start each pass from a zero state; the runner calls this before every pass. */
  resetState?(): void;
  dispose(): void;
}

export interface TestProblem {
  /** DeepOBS name, e.g. "cifar10_3c3d". */
  readonly name: string;
  readonly dataset: DataSetName;
  readonly defaultBatchSize: number;
  readonly defaultEpochs: number;
  /** Whether the problem reports accuracy (DeepOBS ranks it by accuracy then). */
  readonly hasAccuracy: boolean;
  /** Default L2 factor, null when the problem has no regulariser. */
  readonly defaultWeightDecay: number | null;
  /** Trainable parameter count of the reference implementation. */
  readonly referenceParameterCount: number;
  readonly doc: string;
  build(options: BuildOptions): ProblemInstance;
}
