import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@flightdeck/core';
import type { ImageShape } from './augment.js';
import { augmentImage, perImageStandardization } from './augment.js';
import type { Batch, DataSet, Split } from './types.js';
import type { ImageRecords } from './formats/records.js';

export interface ImageDataSetConfig {
  name: string;
  source: string;
  shape: ImageShape;
  /** The official training file(s); the first `validSize` examples become the validation split (DeepOBS 1.2, TF). */
  train: ImageRecords;
  test: ImageRecords;
  validSize: number;
  /** train_eval = the first trainEvalSize // batchSize batches of a fresh pass over the training stream. */
  trainEvalSize: number;
  /** "scale": pixels / 255 (MNIST). "standardize": per-image standardisation (CIFAR, SVHN). */
  normalize: 'scale' | 'standardize';
  /** Training augmentation, or none. */
  augment?: { flip: boolean };
  rng: Rng;
}

/** An image data set held as bytes, converted per batch. */
export class ImageDataSet implements DataSet {
  readonly name: string;
  readonly source: string;
  private readonly train: ImageRecords;
  private readonly valid: ImageRecords;

  constructor(private readonly config: ImageDataSetConfig) {
    this.name = config.name;
    this.source = config.source;
    const pixels = config.shape.height * config.shape.width * config.shape.channels;
    const v = Math.min(config.validSize, config.train.count);
    this.valid = { images: config.train.images.subarray(0, v * pixels), labels: config.train.labels.subarray(0, v), count: v };
    this.train = {
      images: config.train.images.subarray(v * pixels),
      labels: config.train.labels.subarray(v),
      count: config.train.count - v,
    };
  }

  numBatches(split: Split, batchSize: number): number {
    if (split === 'train_eval') return Math.floor(Math.min(this.config.trainEvalSize, this.train.count) / batchSize);
    return Math.floor(this.records(split).count / batchSize);
  }

  *batches(split: Split, batchSize: number): Generator<Batch> {
    const records = this.records(split);
    const fromTrainStream = split === 'train' || split === 'train_eval';
    const order = fromTrainStream ? this.config.rng.permutation(records.count) : undefined;
    const n = this.numBatches(split, batchSize);
    for (let b = 0; b < n; b++) {
      const indices = Array.from({ length: batchSize }, (_, i) => (order ? order[b * batchSize + i] : b * batchSize + i));
      yield this.makeBatch(records, indices, fromTrainStream);
    }
  }

  private records(split: Split): ImageRecords {
    if (split === 'valid') return this.valid;
    if (split === 'test') return this.config.test;
    return this.train;
  }

  private makeBatch(records: ImageRecords, indices: number[], augment: boolean): Batch {
    const { shape, normalize } = this.config;
    const pixels = shape.height * shape.width * shape.channels;
    const out = new Float32Array(indices.length * pixels);
    const labels = new Int32Array(indices.length);
    indices.forEach((index, i) => {
      let image: Float32Array = Float32Array.from(records.images.subarray(index * pixels, (index + 1) * pixels));
      if (augment && this.config.augment) image = augmentImage(image, shape, this.config.rng, this.config.augment);
      if (normalize === 'standardize') perImageStandardization(image);
      else for (let p = 0; p < pixels; p++) image[p] /= 255;
      out.set(image, i * pixels);
      labels[i] = records.labels[index];
    });
    return {
      inputs: tf.tensor4d(out, [indices.length, shape.height, shape.width, shape.channels]),
      targets: tf.tensor1d(labels, 'int32'),
    };
  }
}
