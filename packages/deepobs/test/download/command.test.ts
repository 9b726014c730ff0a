// The `data` command group as the deepobs CLI mounts it.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { dataCommand } from '../../src/data/download/index.js';
import { idxGz, bytes, sha256 } from './formats.js';
import type { TestServer } from './server.js';
import { startServer } from './server.js';

async function run(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  process.exitCode = 0;
  try {
    await new Command('deepobs').addCommand(dataCommand()).parseAsync(['node', 'deepobs', 'data', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout: out.join(''), stderr: err.join(''), exitCode };
}

describe('deepobs data', () => {
  let server: TestServer;
  let dataDir: string;
  const files = {
    'train-images-idx3-ubyte.gz': idxGz(2051, [2, 28, 28], bytes(2 * 784, 5)),
    'train-labels-idx1-ubyte.gz': idxGz(2049, [2], Buffer.from([3, 4])),
    't10k-images-idx3-ubyte.gz': idxGz(2051, [1, 28, 28], bytes(784, 6)),
    't10k-labels-idx1-ubyte.gz': idxGz(2049, [1], Buffer.from([7])),
  };

  beforeAll(async () => {
    server = await startServer(files);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'deepobs-cli-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('download: fetches, reports the checks, and says where the data went', async () => {
    const digests = Object.entries(files).flatMap(([n, b]) => ['--sha256', `${n}=${sha256(b)}`]);
    const result = await run(['download', 'fmnist', '--data-dir', dataDir, '--base-url', server.url, ...digests]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`fmnist: ready in ${path.join(dataDir, 'fmnist')}; train-images-idx3-ubyte\\.gz \\(SHA-256 verified\\)`));
    expect(result.stderr).toMatch(/fmnist\/train-images-idx3-ubyte\.gz: .* MB/);
    expect(existsSync(path.join(dataDir, 'fmnist', 't10k-labels-idx1-ubyte.gz'))).toBe(true);
  });

  it('list: shows which data sets are ready', async () => {
    const { stdout } = await run(['list', '--data-dir', dataDir]);
    expect(stdout).toMatch(/fmnist\s+ready/);
    expect(stdout).toMatch(/cifar10\s+missing .*\(170 MB; SHA-256 published\)/);
    expect(stdout).toMatch(/tolstoi\s+missing .*size unknown; no published SHA-256/);
  });

  it('download: a bad flag or a failed download is an error message and exit code 1', async () => {
    expect((await run(['download', 'fmnist', '--data-dir', dataDir, '--sha256', 'x=12'])).stderr).toMatch(
      /error: --sha256 takes <file name>=<64 hex digits>, got "x=12"/,
    );
    const failed = await run(['download', 'svhn', '--data-dir', dataDir, '--base-url', server.url]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/error: svhn: could not download train_32x32\.mat .*HTTP 404/);
  });
});
