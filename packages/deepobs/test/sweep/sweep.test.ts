import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitCommands, LocalExecutor, readSweepFile, runSweep, type SweepStatus } from '../../src/sweep/index.js';

const FAKE_RUNNER = join(__dirname, 'fake-runner.js');

describe('sweeps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const executor = (name: string) => new LocalExecutor({ runner: [process.execPath, FAKE_RUNNER], workers: 2, logDir: join(dir, name, 'logs') });

  async function sweepFile(name: string, spec: Record<string, unknown>): Promise<string> {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ output_dir: `${name}/results`, ...spec }));
    return file;
  }

  it('expands problem × optimizer × setting × seed × schedule and rejects a bad file with its name', async () => {
    const file = await sweepFile('expand', {
      problems: ['two_d_quadratic', 'two_d_beale'],
      optimizers: [{ name: 'SGD', grid: { lr: [0.01, 0.1] } }, { name: 'Momentum', settings: [{ lr: 0.01, momentum: 0.9 }] }],
      seeds: [42, 43],
      schedules: ['none', 'cosine'],
      num_epochs: 2,
    });
    const runs = await readSweepFile(file);
    expect(runs).toHaveLength(2 * 2 * (2 + 1) * 2);
    expect(runs[0]).toEqual({ problem: 'two_d_quadratic', optimizer: 'SGD', hyperparameters: { lr: 0.01 }, seed: 42, lrSchedule: 'none', numEpochs: 2, outputDir: join(dir, 'expand', 'results', 'none') });
    const bad = await sweepFile('bad', { problems: ['p'], optimizers: [{ name: 'SGD' }], seeds: [42] });
    await expect(readSweepFile(bad)).rejects.toThrow(`${bad}: optimizers[0] needs "settings"`);
  });

  it('runs on a local pool, skips finished runs when resumed, retries a crash and records it as failed with its log tail', async () => {
    const file = await sweepFile('pool', {
      problems: ['two_d_quadratic', 'crash', 'flaky'],
      optimizers: [{ name: 'SGD', grid: { lr: [0.01, 0.04] } }],
      seeds: [42, 43],
      num_epochs: 2,
    });
    const runs = await readSweepFile(file);
    const statusFile = join(dir, 'pool', 'status.json');
    const first = await runSweep(runs, { executor: executor('pool'), statusFile, progress: false });
    expect(first.total).toBe(12);
    expect(first.skipped).toBe(0);
    expect(first.done).toBe(8);
    expect(first.failed).toHaveLength(4);
    for (const f of first.failed) {
      expect(f.key).toContain('|crash|');
      expect(f.error).toBe('the runner exited with 3');
      expect(f.logTail).toContain('boom: the model exploded');
    }
    const status = JSON.parse(readFileSync(statusFile, 'utf8')) as SweepStatus;
    expect(status.counts).toEqual({ pending: 0, running: 0, done: 8, failed: 4 });
    const flaky = Object.values(status.runs).filter((r) => r.command.includes(' flaky '));
    expect(flaky.map((r) => [r.state, r.attempts])).toEqual(Array(4).fill(['done', 2]));
    expect(Object.values(status.runs).filter((r) => r.state === 'failed').every((r) => r.attempts === 2)).toBe(true);
    const results = join(dir, 'pool', 'results', 'two_d_quadratic', 'GradientDescentOptimizer');
    expect(readdirSync(results)).toHaveLength(2);

    // Resumed: the 8 finished runs are skipped; only the crashing ones run (and fail) again.
    const logs = join(dir, 'pool', 'logs');
    const sizeBefore = readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8').length);
    const second = await runSweep(runs, { executor: executor('pool'), statusFile, progress: false });
    expect([second.skipped, second.done, second.failed.length]).toEqual([8, 0, 4]);
    const grew = readdirSync(logs).filter((f, i) => readFileSync(join(logs, f), 'utf8').length !== sizeBefore[i]);
    expect(grew.every((f) => f.includes('crash'))).toBe(true);
  });

  it('emits one command per pending run for an external scheduler', async () => {
    const file = await sweepFile('emit', { problems: ['two_d_quadratic'], optimizers: [{ name: 'SGD', settings: [{ lr: 0.05 }] }], seeds: [42, 43], batch_size: 8 });
    const runs = await readSweepFile(file);
    const lines = await emitCommands(runs, new LocalExecutor({ logDir: join(dir, 'emit', 'logs') }));
    const out = join(dir, 'emit', 'results');
    expect(lines).toEqual([42, 43].map((s) => `deepobs run two_d_quadratic --optimizer SGD --lr 0.05 --random_seed ${s} --batch_size 8 --output_dir ${out}`));
    await runSweep(runs.slice(0, 1), { executor: executor('emit'), progress: false });
    expect(existsSync(out)).toBe(true);
    expect(await emitCommands(runs, executor('emit'))).toHaveLength(1);
  });
});
