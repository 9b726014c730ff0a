import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepCommand, type SweepStatus } from '../../src/sweep/index.js';
import { REAL_DEEPOBS } from './real-cli.js';

it('deepobs sweep runs 2-D problems through `deepobs run` on the local pool and skips them when resumed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
  let out = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  try {
    const file = join(dir, 'sweep.json');
    writeFileSync(file, JSON.stringify({ output_dir: 'results', problems: ['two_d_branin', 'two_d_rosenbrock'], optimizers: [{ name: 'Momentum', settings: [{ lr: 0.0001, momentum: 0.9 }] }], seeds: [42], num_epochs: 1, batch_size: 1000 }));
    const args = [file, '--workers', '2', '--runner', REAL_DEEPOBS];
    await sweepCommand().parseAsync(args, { from: 'user' });
    expect(out).toContain('2 runs: 0 already finished, 2 done now, 0 failed');
    const status = JSON.parse(readFileSync(join(dir, 'sweep-status.json'), 'utf8')) as SweepStatus;
    expect(Object.values(status.runs).map((r) => (r as { resultFile: string }).resultFile)).toEqual([
      expect.stringContaining(join('results', 'two_d_branin', 'MomentumOptimizer')),
      expect.stringContaining(join('results', 'two_d_rosenbrock', 'MomentumOptimizer')),
    ]);
    out = '';
    await sweepCommand().parseAsync(args, { from: 'user' });
    expect(out).toContain('2 runs: 2 already finished, 0 done now, 0 failed');
  } finally {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60000);
