// SVHN's .mat files to the CIFAR-style records of DeepOBS's _svhn_preprocess.py: per image one label byte
// (digit 10 stored as 0) then 32×32×3 pixel bytes in HWC order. DeepOBS 1.2 keeps all 73,257 training images
// (1.1 kept 64,000); they go into five files data_batch_0..4.bin, which the reader concatenates.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readMat } from './mat.js';

const SIDE = 32;
const CHANNELS = 3;
const PIXELS = SIDE * SIDE * CHANNELS;
const TRAIN_FILES = 5;

/** Records for every image of a SVHN .mat file (variables X: 32×32×3×N uint8, y: N×1 labels 1..10). */
export function svhnRecords(buf: Buffer, file: string): { records: Buffer; count: number } {
  const variables = readMat(buf, file);
  const x = variables.get('X');
  const y = variables.get('y');
  if (!x || !y) throw new Error(`${file}: expected variables X and y, found ${[...variables.keys()].join(', ') || 'none'}`);
  const [rows, cols, channels, count] = x.dims;
  if (x.dims.length !== 4 || rows !== SIDE || cols !== SIDE || channels !== CHANNELS) {
    throw new Error(`${file}: X has dimensions [${x.dims}], expected [32, 32, 3, N]`);
  }
  if (y.values.length !== count) throw new Error(`${file}: ${y.values.length} labels for ${count} images`);
  const records = Buffer.alloc(count! * (1 + PIXELS));
  for (let n = 0; n < count!; n++) {
    const label = y.values[n]!;
    if (!Number.isInteger(label) || label < 1 || label > 10) throw new Error(`${file}: label ${label} of image ${n} is not 1..10`);
    const out = n * (1 + PIXELS);
    records[out] = label === 10 ? 0 : label;
    // MATLAB is column-major: X(r, c, ch, n) is at r + 32c + 1024ch + 3072n.
    for (let r = 0; r < SIDE; r++) {
      for (let c = 0; c < SIDE; c++) {
        for (let ch = 0; ch < CHANNELS; ch++) {
          records[out + 1 + (r * SIDE + c) * CHANNELS + ch] = x.values[r + SIDE * c + SIDE * SIDE * ch + PIXELS * n]!;
        }
      }
    }
  }
  return { records, count: count! };
}

async function writeAtomically(file: string, data: Buffer): Promise<void> {
  await fs.writeFile(`${file}.tmp`, data);
  await fs.rename(`${file}.tmp`, file);
}

/** Writes data_batch_0..4.bin and test_batch.bin into `folder` from the two .mat files there. */
export async function convertSvhn(folder: string): Promise<void> {
  const read = async (name: string) => svhnRecords(await fs.readFile(path.join(folder, name)), path.join(folder, name));
  const train = await read('train_32x32.mat');
  const perFile = Math.ceil(train.count / TRAIN_FILES);
  for (let i = 0; i < TRAIN_FILES; i++) {
    const chunk = train.records.subarray(i * perFile * (1 + PIXELS), Math.min(train.count, (i + 1) * perFile) * (1 + PIXELS));
    await writeAtomically(path.join(folder, `data_batch_${i}.bin`), chunk);
  }
  const test = await read('test_32x32.mat');
  await writeAtomically(path.join(folder, 'test_batch.bin'), test.records);
}
