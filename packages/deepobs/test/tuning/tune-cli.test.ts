import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readResultFile } from '@flightdeck/core';
import { tuneCommand } from '../../src/tuning/index.js';
import { REAL_DEEPOBS } from '../sweep/real-cli.js';

it('deepobs tune runs each trial as `deepobs run` in a child process and logs it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tune-cli-'));
  let out = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await tuneCommand().parseAsync(
      ['two_d_branin', '--optimizer', 'SGD', '--strategy', 'grid', '--grid', 'lr=0.0001,0.001', '--budget', '2', '--rerun-seeds', '1', '--epochs', '1', '--batch-size', '1000', '--output-dir', dir, '--runner', REAL_DEEPOBS],
      { from: 'user' },
    );
    const log = readFileSync(join(dir, 'tuning_log_two_d_branin_SGD.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((e) => [e.kind, e.setting.lr, e.seed])).toEqual([
      ['trial', 0.0001, 42],
      ['trial', 0.001, 42],
      ['rerun', log[2].setting.lr, 43],
    ]);
    for (const e of log) {
      expect(e.error).toBeUndefined();
      const read = await readResultFile(e.resultFile);
      if (!read.ok) throw read.error;
      const v = read.result.metrics.valid_losses as number[];
      expect(e.value).toBe(v[v.length - 1]);
      expect(read.result.randomSeed).toBe(e.seed);
    }
    const best = log[0].value < log[1].value ? log[0] : log[1];
    expect(log[2].setting).toEqual(best.setting);
    expect(out).toContain(`best {"lr":${best.setting.lr}}`);
  } finally {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60000);
