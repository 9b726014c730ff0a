import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResultFile, selectBackend } from '@flightdeck/core';
import { collectResults } from '../../src/analyzer/index.js';
import { expandSweep, InProcessExecutor, runSweep } from '../../src/sweep/index.js';

describe('a sweep of real 2-D problem runs, in process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-2d-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('runs every run once, finds its result, skips it when resumed, and the analyzer reads the results', async () => {
    const runs = expandSweep({
      output_dir: dir,
      problems: ['two_d_beale', 'no_such_problem'],
      optimizers: [{ name: 'SGD', grid: { lr: [1e-3, 1e-2] } }],
      seeds: [42, 43],
      num_epochs: 1,
      batch_size: 1000,
    });
    const first = await runSweep(runs, { executor: new InProcessExecutor(), progress: false });
    expect([first.total, first.done, first.failed.length]).toEqual([8, 4, 4]);
    expect(first.failed[0].error).toMatch(/no_such_problem/);
    for (const r of Object.values(first.status.runs).filter((x) => x.state === 'done')) {
      const read = await readResultFile((r as { resultFile: string }).resultFile);
      if (!read.ok) throw read.error;
      expect(read.result).toMatchObject({ testproblem: 'two_d_beale', optimizer: 'GradientDescentOptimizer', numEpochs: 1, batchSize: 1000 });
    }
    const again = await runSweep(runs.slice(0, 4), { executor: new InProcessExecutor(), progress: false });
    expect([again.skipped, again.done]).toEqual([4, 0]);
    const a = await collectResults(dir, { mode: 'final', split: 'valid' });
    expect(a.files).toBe(4);
    expect(a.problems[0].optimizers[0].settings.map((s) => s.seeds.length)).toEqual([2, 2]);
    expect(a.problems[0].optimizers[0].selectionMetric).toBe('valid_losses');
  });
});
