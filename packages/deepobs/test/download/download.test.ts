// `downloadDataset` against a local HTTP server serving small files in the real formats: the prepared folders
// are read back with the package's own readers; interrupted transfers resume with Range requests; checksum
// mismatches are errors that leave no final file.
import { existsSync, mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readIdxDataSet, readRecordDataSet, readTolstoi } from '../../src/data/sources.js';
import type { DownloadEvent } from '../../src/data/download/index.js';
import { ChecksumMismatchError, downloadDataset } from '../../src/data/download/index.js';
import { bytes, idxGz, sha256, svhnMat, tarGz } from './formats.js';
import type { TestServer } from './server.js';
import { startServer } from './server.js';

const IDX_NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

function fmnistFiles(): Record<string, Buffer> {
  const trainImages = bytes(6 * 784, 1);
  const testImages = bytes(4 * 784, 2);
  return {
    'train-images-idx3-ubyte.gz': idxGz(2051, [6, 28, 28], trainImages),
    'train-labels-idx1-ubyte.gz': idxGz(2049, [6], Buffer.from([0, 1, 2, 3, 4, 9])),
    't10k-images-idx3-ubyte.gz': idxGz(2051, [4, 28, 28], testImages),
    't10k-labels-idx1-ubyte.gz': idxGz(2049, [4], Buffer.from([5, 6, 7, 8])),
  };
}

const digests = (files: Record<string, Buffer>) => Object.fromEntries(Object.entries(files).map(([n, b]) => [n, sha256(b)]));

describe('deepobs data download', () => {
  let dataDir: string;
  let server: TestServer;
  const files: Record<string, Buffer> = {};

  beforeAll(async () => {
    Object.assign(files, fmnistFiles());
    server = await startServer(files);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'deepobs-download-'));
    server.requests.length = 0;
    server.interrupt.clear();
    server.ignoreRange = false;
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('downloads Fashion-MNIST, checks every file and leaves what the IDX reader reads', async () => {
    const events: DownloadEvent[] = [];
    const result = await downloadDataset('fmnist', {
      dataDir,
      baseUrl: server.url,
      sha256: digests(fmnistFiles()),
      onProgress: (e) => events.push(e),
    });
    expect(result.files.map((f) => [f.name, f.check])).toEqual(IDX_NAMES.map((n) => [n, 'published']));
    const data = readIdxDataSet('fmnist', dataDir);
    expect(data.train.count).toBe(6);
    expect(Buffer.from(data.train.images)).toEqual(bytes(6 * 784, 1));
    expect(Array.from(data.test.labels)).toEqual([5, 6, 7, 8]);
    const last = events.filter((e) => e.phase === 'download' && e.file === 'train-images-idx3-ubyte.gz').at(-1);
    expect(last).toMatchObject({ received: files['train-images-idx3-ubyte.gz']!.length, total: files['train-images-idx3-ubyte.gz']!.length });

    const again = await downloadDataset('fmnist', { dataDir, baseUrl: server.url });
    expect(again.alreadyPresent).toBe(true);
  });

  it('rejects bytes that do not match the expected SHA-256, leaving neither a final nor a partial file', async () => {
    const wrong = { ...digests(fmnistFiles()), 't10k-images-idx3-ubyte.gz': 'ab'.repeat(32) };
    const run = downloadDataset('fmnist', { dataDir, baseUrl: server.url, sha256: wrong });
    await expect(run).rejects.toThrow(ChecksumMismatchError);
    await expect(run).rejects.toThrow(
      /t10k-images-idx3-ubyte\.gz: SHA-256 [0-9a-f]{64} does not match the given digest (ab){32}\. The download was deleted/,
    );
    const left = await fs.readdir(path.join(dataDir, 'fmnist'));
    expect(left.filter((f) => f.startsWith('t10k-images'))).toEqual([]);
  });

  it('refuses a file whose size differs from the published one before downloading it', async () => {
    await expect(downloadDataset('fmnist', { dataDir, baseUrl: server.url })).rejects.toThrow(
      /could not download train-images-idx3-ubyte\.gz \(.*: the server offers \d+ bytes, expected 26421880 \(wrong file or a changed upstream\)\)\.$/,
    );
    expect(await fs.readdir(path.join(dataDir, 'fmnist'))).toEqual([]);
  });

  it('resumes a transfer cut off halfway with a Range request for the rest', async () => {
    const name = 'train-images-idx3-ubyte.gz';
    server.interrupt.set(name, 1);
    await downloadDataset('fmnist', { dataDir, baseUrl: server.url, sha256: digests(fmnistFiles()) });
    const asked = server.requests.filter((r) => r.path === name);
    const half = Math.floor(files[name]!.length / 2);
    expect(asked).toEqual([{ path: name, range: undefined }, { path: name, range: `bytes=${half}-` }]);
    expect(readFileSync(path.join(dataDir, 'fmnist', name))).toEqual(files[name]);
  });

  it('keeps the partial file when every attempt fails, and a later call continues from it', async () => {
    const name = 'train-labels-idx1-ubyte.gz';
    const part = path.join(dataDir, 'fmnist', `${name}.part`);
    server.interrupt.set(name, 3);
    const first = downloadDataset('fmnist', { dataDir, baseUrl: server.url, sha256: digests(fmnistFiles()), retries: 2 });
    await expect(first).rejects.toThrow(/could not download train-labels-idx1-ubyte\.gz .*What arrived \(\d+ bytes\) is kept in .*\.part; running the command again resumes it/);
    const kept = readFileSync(part);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(files[name]!.subarray(0, kept.length));

    server.requests.length = 0;
    await downloadDataset('fmnist', { dataDir, baseUrl: server.url, sha256: digests(fmnistFiles()) });
    expect(server.requests.filter((r) => r.path === name)).toEqual([{ path: name, range: `bytes=${kept.length}-` }]);
    expect(readFileSync(path.join(dataDir, 'fmnist', name))).toEqual(files[name]);
    expect(existsSync(part)).toBe(false);
  });

  it('starts over when the server ignores the Range header', async () => {
    const name = 't10k-images-idx3-ubyte.gz';
    await fs.mkdir(path.join(dataDir, 'fmnist'), { recursive: true });
    await fs.writeFile(path.join(dataDir, 'fmnist', `${name}.part`), Buffer.from('stale bytes of another file'));
    server.ignoreRange = true;
    await downloadDataset('fmnist', { dataDir, baseUrl: server.url, sha256: digests(fmnistFiles()) });
    expect(readFileSync(path.join(dataDir, 'fmnist', name))).toEqual(files[name]);
  });

  it('names the address and status of a missing file', async () => {
    await expect(downloadDataset('cifar10', { dataDir, baseUrl: server.url })).rejects.toThrow(
      new RegExp(`could not download cifar-10-binary\\.tar\\.gz \\(${server.url.replace(/\./g, '\\.')}/cifar-10-binary\\.tar\\.gz: HTTP 404\\)`),
    );
  });

  it('rejects unknown data sets with the list of downloadable ones', async () => {
    await expect(downloadDataset('imagenet', { dataDir })).rejects.toThrow(
      /no download for data set "imagenet"\. ImageNet cannot be downloaded automatically.*Downloadable: mnist, fmnist, cifar10, cifar100, svhn, tolstoi/,
    );
  });
});

describe('deepobs data download: archives, .mat files and text are prepared for the readers', () => {
  let dataDir: string;
  let server: TestServer;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'deepobs-prepare-'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('CIFAR-10 and CIFAR-100: extracts the binary batches and removes the archive', async () => {
    const record10 = (n: number, label: number) => Buffer.concat([Buffer.from([label]), bytes(3072, 100 + n)]);
    const record100 = (n: number, coarse: number, fine: number) => Buffer.concat([Buffer.from([coarse, fine]), bytes(3072, 200 + n)]);
    const batches: Record<string, Buffer> = {};
    for (let i = 1; i <= 5; i++) batches[`cifar-10-batches-bin/data_batch_${i}.bin`] = Buffer.concat([record10(i, i), record10(10 + i, 9 - i)]);
    batches['cifar-10-batches-bin/test_batch.bin'] = record10(99, 3);
    batches['cifar-10-batches-bin/batches.meta.txt'] = Buffer.from('airplane\n');
    const archive10 = await tarGz(batches);
    const archive100 = await tarGz({
      'cifar-100-binary/train.bin': Buffer.concat([record100(1, 4, 71), record100(2, 0, 5)]),
      'cifar-100-binary/test.bin': record100(3, 9, 99),
    });
    server = await startServer({ 'cifar-10-binary.tar.gz': archive10, 'cifar-100-binary.tar.gz': archive100 });
    const sha = { 'cifar-10-binary.tar.gz': sha256(archive10), 'cifar-100-binary.tar.gz': sha256(archive100) };

    await downloadDataset('cifar10', { dataDir, baseUrl: server.url, sha256: sha });
    const cifar10 = readRecordDataSet('cifar10', dataDir);
    expect(Array.from(cifar10.train.labels)).toEqual([1, 8, 2, 7, 3, 6, 4, 5, 5, 4]);
    expect(cifar10.test.count).toBe(1);
    // The reader turns CHW planes into HWC: pixel (0, 1) of channel 2 comes from byte 1 + 2·1024 + 1 of the record.
    expect(cifar10.test.images[(0 * 32 + 1) * 3 + 2]).toBe(record10(99, 3)[1 + 2 * 1024 + 1]);
    expect(existsSync(path.join(dataDir, 'cifar-10', 'cifar-10-binary.tar.gz'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'cifar-10', 'batches.meta.txt'))).toBe(true);

    await downloadDataset('cifar100', { dataDir, baseUrl: server.url, sha256: sha });
    const cifar100 = readRecordDataSet('cifar100', dataDir);
    expect(Array.from(cifar100.train.labels)).toEqual([71, 5]);
    expect(Array.from(cifar100.test.labels)).toEqual([99]);
  });

  it('SVHN: converts X (32×32×3×N, column-major) and y (10 → 0) into HWC records', async () => {
    const pixel = (n: number, r: number, c: number, ch: number) => (n * 37 + r * 5 + c * 3 + ch * 101) % 256;
    const trainLabels = [1, 10, 3, 4, 5, 6, 7];
    const train = svhnMat(7, pixel, trainLabels);
    const test = svhnMat(3, (n, r, c, ch) => pixel(n + 50, r, c, ch), [10, 2, 9]);
    server = await startServer({ 'train_32x32.mat': train, 'test_32x32.mat': test });
    await downloadDataset('svhn', { dataDir, baseUrl: server.url, sha256: { 'train_32x32.mat': sha256(train), 'test_32x32.mat': sha256(test) } });

    const svhn = readRecordDataSet('svhn', dataDir);
    expect(svhn.train.count).toBe(7);
    expect(Array.from(svhn.train.labels)).toEqual([1, 0, 3, 4, 5, 6, 7]);
    expect(Array.from(svhn.test.labels)).toEqual([0, 2, 9]);
    for (const [n, r, c, ch] of [[0, 0, 0, 0], [2, 5, 17, 1], [6, 31, 30, 2]] as const) {
      expect(svhn.train.images[n * 3072 + (r * 32 + c) * 3 + ch]).toBe(pixel(n, r, c, ch));
    }
    expect(svhn.test.images[2 * 3072 + (4 * 32 + 9) * 3 + 1]).toBe(pixel(52, 4, 9, 1));
    // 7 images in five files of ⌈7/5⌉ = 2 (the last gets 1, the rest are empty), as the reader concatenates them.
    const sizes = [0, 1, 2, 3, 4].map((i) => readFileSync(path.join(dataDir, 'svhn', `data_batch_${i}.bin`)).length / 3073);
    expect(sizes).toEqual([2, 2, 2, 1, 0]);
    expect(existsSync(path.join(dataDir, 'svhn', 'train_32x32.mat'))).toBe(false);
  });

  it('Tolstoi: records the unpublished digest with a warning, prepares the arrays, and rejects a changed text later', async () => {
    // 65,000 numbered lines, so that all three of DeepOBS's sed deletions apply.
    const lines = Array.from({ length: 65_000 }, (_, i) => `${i + 1}${i % 3 === 0 ? 'ab' : 'c'}\r`);
    const text = lines.join('\n') + '\n';
    server = await startServer({ 'war-and-peace.txt': Buffer.from(text) });
    const result = await downloadDataset('tolstoi', { dataDir, baseUrl: server.url });
    expect(result.files[0]).toMatchObject({ name: 'war-and-peace.txt', check: 'recorded', sha256: sha256(Buffer.from(text)) });
    expect(result.warnings[0]).toMatch(/war-and-peace\.txt: no published SHA-256 for this file; recorded [0-9a-f]{64} in .*war-and-peace\.txt\.sha256/);

    // Independently: sed '1,29d' keeps lines 30.., then '5,775d' drops lines 34..804, then '63850,64207d' drops
    // the 63850th..64207th remaining lines, i.e. original lines 64650..65007 → only up to 65000 exist.
    const kept = lines.filter((_, i) => {
      const n = i + 1;
      return n >= 30 && !(n >= 34 && n <= 804) && !(n >= 64650);
    });
    const expectedText = kept.join('\n') + '\n';
    const chars = Array.from(expectedText);
    const counts = new Map<string, number>();
    chars.forEach((ch) => counts.set(ch, (counts.get(ch) ?? 0) + 1));
    const vocab = JSON.parse(readFileSync(path.join(dataDir, 'tolstoi', 'vocab.json'), 'utf8')) as string[];
    expect(new Set(vocab)).toEqual(new Set(counts.keys()));
    for (let i = 1; i < vocab.length; i++) expect(counts.get(vocab[i - 1]!)!).toBeGreaterThanOrEqual(counts.get(vocab[i]!)!);
    const { train, test } = readTolstoi(dataDir);
    expect(train.length).toBe(Math.ceil(0.8 * chars.length));
    expect(train.length + test.length).toBe(chars.length);
    const decoded = [...Array.from(train), ...Array.from(test)].map((id) => vocab[id]).join('');
    expect(decoded).toBe(expectedText);

    server.files.set('war-and-peace.txt', Buffer.from(text.replace('1ab', '1xy')));
    await expect(downloadDataset('tolstoi', { dataDir, baseUrl: server.url, force: true })).rejects.toThrow(
      /does not match the digest recorded in .*war-and-peace\.txt\.sha256 by an earlier download/,
    );
  });
});
