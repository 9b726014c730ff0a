import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultIndex } from '../../src/sweep/detect.js';
import type { SweepRun } from '../../src/sweep/spec.js';

const FAKE_RUNNER = join(__dirname, 'fake-runner.js');

describe('ResultIndex', () => {
  const dir = mkdtempSync(join(tmpdir(), 'result-index-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (seed: number): SweepRun => ({ problem: 'two_d_quadratic', optimizer: 'SGD', hyperparameters: { lr: 0.01 }, seed, outputDir: dir, numEpochs: 1 });
  const train = (seed: number) =>
    execFileSync(process.execPath, [FAKE_RUNNER, 'run', 'two_d_quadratic', '--optimizer', 'SGD', '--lr', '0.01', '--random_seed', String(seed), '--num_epochs', '1', '--output_dir', dir]);
  const fileOf = (seed: number) => {
    const optimizerDir = join(dir, 'two_d_quadratic', 'GradientDescentOptimizer');
    const [setting] = readdirSync(optimizerDir);
    return join(optimizerDir, setting, readdirSync(join(optimizerDir, setting)).find((f) => f.startsWith(`random_seed__${seed}__`))!);
  };

  it('finds new results on refresh, re-reads changed files and not unchanged ones', async () => {
    const index = new ResultIndex();
    expect(await index.find(run(1))).toBeUndefined();
    train(1);
    expect(await index.find(run(1))).toBeUndefined(); // find alone trusts its cache
    expect(await index.refresh(run(1))).toBe(fileOf(1));
    train(2);
    expect(await index.refresh(run(2))).toBe(fileOf(2));

    // Same size and mtime: the cached reading stands (the file is not read again).
    const first = fileOf(1);
    const { mtimeMs, atimeMs } = statSync(first);
    const text = readFileSync(first, 'utf8');
    writeFileSync(first, text.replace(/"random_seed":( ?)1,/, '"random_seed":$17,'));
    utimesSync(first, atimeMs / 1000, mtimeMs / 1000);
    expect(await index.refresh(run(2))).toBe(fileOf(2));
    expect(await index.find(run(1))).toBe(first);
    expect(await index.find(run(7))).toBeUndefined();

    // A changed stamp is read again.
    utimesSync(first, atimeMs / 1000, mtimeMs / 1000 + 5);
    expect(await index.refresh(run(7))).toBe(first);
    expect(await index.find(run(1))).toBeUndefined();
  });
});
