import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeCommand, estimateRuntimeCommand } from '../../src/analyzer/index.js';
import { sweepCommand } from '../../src/sweep/index.js';
import { tuneCommand } from '../../src/tuning/index.js';
import { BASELINES } from './baselines.js';

describe('sub-commands for the deepobs CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepobs-cmd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let out = '';
  beforeEach(() => {
    out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  });
  afterEach(() => jest.restoreAllMocks());

  it('analyze prints the table and writes the report', async () => {
    const report = join(dir, 'report');
    await analyzeCommand().parseAsync([BASELINES, '--metric', 'test', '--mode', 'most', '--no-png', '-o', report], { from: 'user' });
    expect(out).toContain('| quadratic_deep | GradientDescentOptimizer | 87.40 ± 0.16 |');
    expect(out).toContain('540 files');
    expect(readFileSync(join(report, 'index.html'), 'utf8')).toContain('number of seeds (ties: final value) of the test metric');
  }, 60000);

  it('analyze writes its figures to a report folder given relative to the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await analyzeCommand().parseAsync([BASELINES, '--no-png', '-o', 'relative-report'], { from: 'user' });
    } finally {
      process.chdir(cwd);
    }
    expect(readFileSync(join(dir, 'relative-report', 'performance-quadratic_deep.svg'), 'utf8')).toMatch(/^<svg/);
  }, 60000);

  it('sweep --emit-commands prints one command per pending run', async () => {
    const file = join(dir, 'sweep.json');
    writeFileSync(file, JSON.stringify({ output_dir: 'r', problems: ['two_d_beale'], optimizers: [{ name: 'Adam', grid: { lr: [0.1, 0.01] } }], seeds: [42], num_epochs: 3 }));
    await sweepCommand().parseAsync([file, '--emit-commands', '--runner', 'deepobs'], { from: 'user' });
    expect(out.trim().split('\n')).toEqual([0.1, 0.01].map((lr) => `deepobs run two_d_beale --optimizer Adam --lr ${lr} --random_seed 42 --num_epochs 3 --output_dir ${join(dir, 'r')}`));
  });

  it('tune and estimate-runtime refuse bad flags with a clear message', async () => {
    const tune = tuneCommand().exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(tune.parseAsync(['two_d_beale', '--optimizer', 'SGD', '--budget', '3', '--strategy', 'annealing'], { from: 'user' })).rejects.toThrow(/argument 'annealing' is invalid.*grid, random, bayes/);
    await expect(tuneCommand().parseAsync(['two_d_beale', '--optimizer', 'SGD', '--budget', '3', '--strategy', 'grid', '--grid', 'lr=0.1,x', '--output-dir', dir], { from: 'user' })).rejects.toThrow(/--grid "lr=0.1,x": every value must be a number/);
    const est = estimateRuntimeCommand().exitOverride().configureOutput({ writeErr: () => undefined });
    await expect(est.parseAsync(['--problem', 'two_d_beale'], { from: 'user' })).rejects.toThrow(/required option '--optimizer <name>' not specified/);
  });
});
