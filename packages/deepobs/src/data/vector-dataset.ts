import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@flightdeck/core';
import type { Batch, DataSet, Split, TrainOrder } from './types.js';

/** Rows of `dim` floats per example. */
export interface VectorRows {
  data: Float32Array;
  count: number;
}

export interface VectorDataSetConfig {
  name: string;
  source: string;
  dim: number;
  train: VectorRows;
  valid: VectorRows;
  test: VectorRows;
  /** train_eval = the first trainEvalSize // batchSize batches of a fresh shuffled pass over train. */
  trainEvalSize: number;
  rng: Rng;
  trainOrder: TrainOrder;
}

/** Noise vectors of the quadratic and 2-D problems: inputs only, no targets. */
export class VectorDataSet implements DataSet {
  readonly name: string;
  readonly source: string;
  private fixedOrder: Int32Array | undefined;

  constructor(private readonly config: VectorDataSetConfig) {
    this.name = config.name;
    this.source = config.source;
  }

  numBatches(split: Split, batchSize: number): number {
    const count = split === 'train_eval' ? Math.min(this.config.trainEvalSize, this.config.train.count) : this.rows(split).count;
    return Math.floor(count / batchSize);
  }

  *batches(split: Split, batchSize: number): Generator<Batch> {
    const rows = this.rows(split);
    const { dim } = this.config;
    const order = split === 'train' || split === 'train_eval' ? this.trainPermutation(rows.count) : undefined;
    const n = this.numBatches(split, batchSize);
    for (let b = 0; b < n; b++) {
      const out = new Float32Array(batchSize * dim);
      for (let i = 0; i < batchSize; i++) {
        const index = order ? order[b * batchSize + i] : b * batchSize + i;
        out.set(rows.data.subarray(index * dim, (index + 1) * dim), i * dim);
      }
      yield { inputs: tf.tensor2d(out, [batchSize, dim]) };
    }
  }

  private trainPermutation(count: number): Int32Array {
    if (this.config.trainOrder === 'reshuffle') return this.config.rng.permutation(count);
    this.fixedOrder ??= this.config.rng.permutation(count);
    return this.fixedOrder;
  }

  private rows(split: Split): VectorRows {
    if (split === 'valid') return this.config.valid;
    if (split === 'test') return this.config.test;
    return this.config.train;
  }
}
