// The Slurm executor against a real one-node Slurm cluster (slurmctld + slurmd started here, no accounting): a sweep
// of two_d_rosenbrock and mnist_logreg (synthetic data) runs through sbatch as a job array, an array task cancelled
// with scancel is submitted again and finishes, a run that cannot succeed is retried and recorded failed with its
// log's tail, a second submission runs only the unfinished runs, and the analyzer reads the results.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectResults } from '../../src/analyzer/index.js';
import type { SweepExecutor } from '../../src/sweep/executor.js';
import { runSweep, type SweepStatus } from '../../src/sweep/run-sweep.js';
import { readSweepFile, runKey } from '../../src/sweep/spec.js';
import { SlurmExecutor, taskId } from '../../src/sweep/slurm/index.js';
import { slurmMissing, startCluster, type SlurmCluster } from './cluster.js';
import { sweepCli } from './sweep-cli.js';

const missing = slurmMissing();
if (missing) console.warn(`Slurm cluster tests skipped: ${missing}`);
const describeWithSlurm = missing ? describe.skip : describe;

const REGISTER = join(__dirname, '../../../../tools/ts-register.cjs');
const ENTRY = join(__dirname, 'run-entry.ts');

describeWithSlurm('Slurm executor on a one-node cluster', () => {
  let cluster: SlurmCluster;
  const dir = mkdtempSync(join(tmpdir(), 'slurm-sweep-'));
  const stateDir = join(dir, 'sweep-slurm');
  const lines: string[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const executor = () =>
    new SlurmExecutor({
      runner: [process.execPath, '-r', REGISTER, ENTRY],
      stateDir,
      sbatch: { partition: cluster.partition, arrayLimit: cluster.cpus, cpusPerTask: 1, time: '5:00', jobName: 'fd-test' },
      maxRetries: 1,
      pollMs: 300,
      settleMs: 1000,
      env: cluster.env,
      log: (l) => lines.push(l),
      progressEveryMs: 0,
    });

  /** Cancels the array task of `key` (attempt 1) as soon as it runs, through the executor's onStart hook. */
  function cancelling(ex: SweepExecutor, key: string): { ex: SweepExecutor; cancelled: () => string | undefined } {
    let cancelled: string | undefined;
    const startFile = join(stateDir, 'tasks', `${taskId(key)}.start`);
    return {
      cancelled: () => cancelled,
      ex: {
        name: ex.name,
        commandFor: (r) => ex.commandFor(r),
        execute: (runs, hooks) =>
          ex.execute(runs, {
            ...hooks,
            onStart: (r, attempt) => {
              hooks.onStart(r, attempt);
              if (r.key !== key || attempt !== 1) return;
              // The task's start file names it ("job <array job>_<index> on <host>"); node takes seconds to load
              // the runner after it is written, so the cancel lands before the run can finish.
              for (let i = 0; i < 400 && !existsSync(startFile); i++) execFileSync('sleep', ['0.05']);
              cancelled = /job (\d+_\d+)/.exec(readFileSync(startFile, 'utf8'))![1];
              execFileSync('scancel', [cancelled], { env: cluster.env });
            },
          }),
      },
    };
  }

  it('runs a sweep as a job array, retries a cancelled task and a failing run, resumes, and the analyzer reads it', async () => {
    const specFile = join(dir, 'sweep.json');
    writeFileSync(
      specFile,
      JSON.stringify({ output_dir: 'results', problems: ['two_d_rosenbrock', 'mnist_logreg', 'no_such_problem'], optimizers: [{ name: 'SGD', settings: [{ lr: 0.001 }] }], seeds: [42, 43], num_epochs: 1 }),
    );
    const runs = await readSweepFile(specFile);
    const victim = runKey(runs.find((r) => r.problem === 'two_d_rosenbrock' && r.seed === 43)!);
    const { ex, cancelled } = cancelling(executor(), victim);
    const statusFile = join(dir, 'status.json');
    const first = await runSweep(runs, { executor: ex, statusFile, progress: false });

    expect([first.total, first.skipped, first.done]).toEqual([6, 0, 4]);
    expect(first.failed.map((f) => f.key.split('|')[1])).toEqual(['no_such_problem', 'no_such_problem']);
    for (const f of first.failed) {
      expect(f.error).toMatch(/^the runner exited with 1 \(array task \d+_\d+\)$/);
      expect(f.logTail).toContain('unknown test problem "no_such_problem"');
    }
    const status = JSON.parse(readFileSync(statusFile, 'utf8')) as SweepStatus;
    expect(status.executor).toBe('slurm');
    expect(status.counts).toEqual({ pending: 0, running: 0, done: 4, failed: 2 });
    // Both failing runs were submitted twice (max-retries 1); the cancelled run finished on its second attempt.
    expect(Object.values(status.runs).filter((r) => r.state === 'failed').map((r) => r.attempts)).toEqual([2, 2]);
    expect(status.runs[victim]).toMatchObject({ state: 'done', attempts: 2 });
    expect(cancelled()).toBeDefined();
    expect(readFileSync(join(stateDir, 'logs', `slurm-${cancelled()}.out`), 'utf8')).toMatch(/CANCELLED/);
    expect(lines.some((l) => l.includes(`array task ${cancelled()} (${victim}) attempt 1 failed`) && l.includes('ended CANCELLED without an exit status'))).toBe(true);
    const victimLog = readFileSync(join(stateDir, 'logs', `${taskId(victim)}.log`), 'utf8');
    // Progress per array: the first ends with 3 runs done and 3 to retry, the retry array with 1 done and 2 failed.
    const ends = lines.filter((l) => / 0 running, 0 pending$/.test(l)).map((l) => l.replace(/^slurm: job \d+: /, ''));
    expect(ends).toEqual(['3 done, 0 failed, 3 to retry, 0 running, 0 pending', '1 done, 2 failed, 0 to retry, 0 running, 0 pending']);
    expect(lines.some((l) => /^slurm: job \d+: [1-4] done, .*, ETA \d+ (s|min)$/.test(l))).toBe(true);
    expect(victimLog.match(/^# \S+ job \d+_\d+ on /gm)).toHaveLength(2);

    // The results are in the DeepOBS layout, one file per finished run, and the analyzer reads them.
    const results = join(dir, 'results');
    for (const p of ['two_d_rosenbrock', 'mnist_logreg']) {
      const settings = readdirSync(join(results, p, 'GradientDescentOptimizer'));
      expect(settings).toEqual(['num_epochs__1__batch_size__128__lr__1.e-03']);
      expect(readdirSync(join(results, p, 'GradientDescentOptimizer', settings[0])).map((f) => f.replace(/__\d[\d-]+\.json$/, '')).sort()).toEqual(['random_seed__42', 'random_seed__43']);
    }
    const analysis = await collectResults(results, { mode: 'final', split: 'valid' });
    expect(analysis.skipped).toEqual([]);
    expect(analysis.problems.map((p) => p.problem).sort()).toEqual(['mnist_logreg', 'two_d_rosenbrock']);
    for (const p of analysis.problems) {
      expect(p.numEpochs).toBe(1);
      expect(p.optimizers.map((o) => o.optimizer)).toEqual(['GradientDescentOptimizer']);
      expect(p.optimizers[0].chosen.seeds.map((s) => s.seed).sort()).toEqual([42, 43]);
    }

    // While an earlier submission is still queued (here a held job recorded as one), a new one is refused.
    const held = execFileSync('sbatch', ['--parsable', '--hold', '--wrap', 'true'], { env: cluster.env, encoding: 'utf8' }).trim();
    appendFileSync(join(stateDir, 'jobs.tsv'), `${held}\t-\t-\n`);
    await expect(runSweep(runs, { executor: executor(), progress: false })).rejects.toThrow(`an earlier submission of this sweep is still in the Slurm queue (job ${held}, `);
    execFileSync('scancel', [held], { env: cluster.env });

    // A second submission, through `deepobs sweep --executor slurm`, runs only the two unfinished runs, in one new
    // array of two tasks, and records them failed again (no retries now).
    const scriptsBefore = new Set(readdirSync(stateDir).filter((f) => f.endsWith('.sbatch')));
    const conf = process.env.SLURM_CONF;
    process.env.SLURM_CONF = cluster.env.SLURM_CONF;
    try {
      const runner = [process.execPath, '-r', REGISTER, ENTRY].join(' ');
      const { stdout, stderr } = await sweepCli([specFile, '--executor', 'slurm', '--runner', runner, '--slurm-dir', stateDir, '--status', statusFile, '--max-retries', '0', '--array-limit', '2', '--poll', '0.3']);
      expect(stdout).toMatch(/^6 runs: 4 already finished, 0 done now, 2 failed\nFAILED \S+\|no_such_problem\|/);
      expect(stderr).toMatch(/slurm: submitted job \d+: 2 runs, script /);
      expect(process.exitCode).toBe(1);
    } finally {
      process.env.SLURM_CONF = conf;
      process.exitCode = 0;
    }
    const newScripts = readdirSync(stateDir).filter((f) => f.endsWith('.sbatch') && !scriptsBefore.has(f));
    expect(newScripts).toHaveLength(1);
    const script = readFileSync(join(stateDir, newScripts[0]), 'utf8');
    expect(script).toContain('#SBATCH --array=0-1%2');
    expect(script.match(/^ {2}\d\) RUN=/gm)).toHaveLength(2);
    expect(script).not.toContain('two_d_rosenbrock');
  });
});
