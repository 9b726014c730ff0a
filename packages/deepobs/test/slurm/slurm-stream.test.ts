// `--stream`: the array tasks of a sweep on a real one-node Slurm cluster stream their records to a running
// `flightdeck serve` (through `flightdeck train --bridge`) and still write their DeepOBS result files. The flightdeck
// command is driven as a user's cluster job drives it, as a separate process from its TypeScript sources: this
// package does not import the bridge. The server is a `serve --public` one with CurveZMQ (on loopback here), as it
// must be for array tasks on other machines, and the runs carry an LR schedule and a train_log_interval through.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '../../src/sweep/run-sweep.js';
import { getLrSchedule, lrScheduleTrainingParams } from '../../src/schedules/index.js';
import { readSweepFile } from '../../src/sweep/spec.js';
import { SlurmExecutor } from '../../src/sweep/slurm/index.js';
import { freePort, slurmMissing, startCluster, type SlurmCluster } from './cluster.js';

const missing = slurmMissing();
if (missing) console.warn(`Slurm streaming test skipped: ${missing}`);
const describeWithSlurm = missing ? describe.skip : describe;

const REGISTER = join(__dirname, '../../../../tools/ts-register.cjs');
const FLIGHTDECK = [process.execPath, '-r', REGISTER, join(__dirname, '../../../bridge/src/cli.ts')];

describeWithSlurm('Slurm sweep streaming to flightdeck serve', () => {
  let cluster: SlurmCluster;
  let serve: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'slurm-stream-'));
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    serve?.kill('SIGKILL');
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every array task streams its run to the serve address given to the sweep', async () => {
    const address = `tcp://127.0.0.1:${await freePort()}`;
    const store = join(dir, 'store');
    const keys = (name: string) => {
      const file = join(dir, `${name}.json`);
      execFileSync(FLIGHTDECK[0], [...FLIGHTDECK.slice(1), 'keys', '--out', file]);
      return file;
    };
    const serverKeys = keys('server');
    const taskKeys = keys('tasks');
    serve = spawn(FLIGHTDECK[0], [...FLIGHTDECK.slice(1), 'serve', '--bind', address, '--public', '--curve-keys', serverKeys, '--allow-keys', taskKeys, '--token', 'secret', '--store', store, '--no-dashboard'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    serve.stdout!.on('data', (b: Buffer) => (said += b));
    serve.stderr!.on('data', (b: Buffer) => (said += b));
    for (let i = 0; !said.includes('ingest listening on'); i++) {
      if (i === 300 || serve.exitCode !== null) throw new Error(`flightdeck serve did not start: ${said}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const specFile = join(dir, 'sweep.json');
    writeFileSync(specFile, JSON.stringify({ output_dir: 'results', problems: ['two_d_rosenbrock'], optimizers: [{ name: 'SGD', settings: [{ lr: 0.001 }] }], seeds: [42, 43], num_epochs: 2, schedules: ['cosine'], train_log_interval: 1 }));
    const executor = new SlurmExecutor({
      runner: ['/unused/deepobs'],
      streamRunner: FLIGHTDECK,
      stream: address,
      streamCurve: { serverKey: JSON.parse(readFileSync(serverKeys, 'utf8')).publicKey, clientKeysFile: taskKeys },
      stateDir: join(dir, 'sweep-slurm'),
      sbatch: { partition: cluster.partition, time: '5:00' },
      maxRetries: 0,
      pollMs: 300,
      settleMs: 1000,
      env: cluster.env,
      log: () => {},
    });
    const summary = await runSweep(await readSweepFile(specFile), { executor, progress: false });
    expect(summary.failed).toEqual([]);
    expect(summary.done).toBe(2);
    // The schedule and train_log_interval reached flightdeck train: its DeepOBS results carry them.
    for (const r of Object.values(summary.status.runs)) {
      const result = JSON.parse(readFileSync(r.state === 'done' ? r.resultFile : '', 'utf8'));
      expect(result).toMatchObject({ num_epochs: 2, train_log_interval: 1, training_params: lrScheduleTrainingParams(getLrSchedule('cosine'), 2) });
    }
    expect(Object.values(summary.status.runs).map((r) => (r.state === 'done' ? r.resultFile : r.state))).toEqual([expect.stringMatching(/random_seed__42__/), expect.stringMatching(/random_seed__43__/)]);

    // The store is read after the server has closed it.
    serve.kill('SIGINT');
    await new Promise((r) => serve!.once('exit', r));
    const runs = JSON.parse(execFileSync(FLIGHTDECK[0], [...FLIGHTDECK.slice(1), 'runs', '--store', store, '--json'], { encoding: 'utf8' })) as Array<{ runId: string; testProblem: string; status: string; gaps: number }>;
    expect(runs.map((r) => [r.testProblem, r.status, r.gaps]).sort()).toEqual([
      ['two_d_rosenbrock', 'finished', 0],
      ['two_d_rosenbrock', 'finished', 0],
    ]);
    expect(runs.map((r) => /-SGD-(\d+)-/.exec(r.runId)?.[1]).sort()).toEqual(['42', '43']);
  });
});
