import * as tf from '@tensorflow/tfjs';
import type { Batch, DataSet, Split } from './types.js';

export interface TextDataSetConfig {
  name: string;
  source: string;
  /** Character ids of the training file; its first `validSize` characters are the validation split. */
  train: Int32Array;
  test: Int32Array;
  validSize: number;
  /** train_eval = the first trainEvalSize / (batchSize · seqLength) batches of the training layout. */
  trainEvalSize: number;
  seqLength: number;
}

/**
 * Character streams in DeepOBS's stateful layout: the array is cut into `batchSize` contiguous rows, and batch i
 * holds chunk i of every row, so row r of batch i+1 continues row r of batch i. Never shuffled. Targets are the
 * inputs shifted by one character.
 */
export class TextDataSet implements DataSet {
  readonly name: string;
  readonly source: string;
  private readonly trainIds: Int32Array;
  private readonly validIds: Int32Array;

  constructor(private readonly config: TextDataSetConfig) {
    this.name = config.name;
    this.source = config.source;
    const v = Math.min(config.validSize, config.train.length);
    this.validIds = config.train.subarray(0, v);
    this.trainIds = config.train.subarray(v);
  }

  numBatches(split: Split, batchSize: number): number {
    const perBatch = batchSize * this.config.seqLength;
    const full = Math.floor((this.ids(split).length - 1) / perBatch);
    return split === 'train_eval' ? Math.min(full, Math.floor(this.config.trainEvalSize / perBatch)) : full;
  }

  *batches(split: Split, batchSize: number): Generator<Batch> {
    const ids = this.ids(split);
    const L = this.config.seqLength;
    const perRow = Math.floor((ids.length - 1) / (batchSize * L)) * L;
    const n = this.numBatches(split, batchSize);
    for (let b = 0; b < n; b++) {
      const x = new Int32Array(batchSize * L);
      const y = new Int32Array(batchSize * L);
      for (let r = 0; r < batchSize; r++) {
        const start = r * perRow + b * L;
        x.set(ids.subarray(start, start + L), r * L);
        y.set(ids.subarray(start + 1, start + L + 1), r * L);
      }
      yield { inputs: tf.tensor2d(x, [batchSize, L], 'int32'), targets: tf.tensor2d(y, [batchSize, L], 'int32') };
    }
  }

  private ids(split: Split): Int32Array {
    if (split === 'valid') return this.validIds;
    if (split === 'test') return this.config.test;
    return this.trainIds;
  }
}
