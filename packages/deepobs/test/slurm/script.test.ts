// The job array script without a cluster: its #SBATCH lines, that it names no path but the runner's and the folders
// the user chose, and what it does when bash runs it as an array task (the run, its log and status files, a second
// submission of a finished run, a failing run, bad indices); option checks; `deepobs sweep --dry-run`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runArgs, runKey, type SweepRun } from '../../src/sweep/spec.js';
import { currentRunner, flightdeckRunner, SlurmExecutor, slurmScript, taskId } from '../../src/sweep/slurm/index.js';
import { sweepCli } from './sweep-cli.js';

const FAKE_RUNNER = join(__dirname, '../sweep/fake-runner.js');

const run = (problem: string, seed: number, outputDir: string): SweepRun => ({ problem, optimizer: 'SGD', hyperparameters: { lr: 0.05 }, seed, numEpochs: 2, outputDir });
const pending = (runs: SweepRun[]) => runs.map((spec) => ({ key: runKey(spec), spec }));

describe('the job array script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurm-script-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every sbatch option as an #SBATCH line and one case per run', () => {
    const ex = new SlurmExecutor({
      runner: ['/opt/node/bin/node', '/opt/deepobs/dist/cli.js'],
      stateDir: '/scratch/ana/sweep-slurm',
      sbatch: { jobName: 'cv', partition: 'gpu', time: '1-02:00:00', cpusPerTask: 4, gres: 'gpu:a100:1', arrayLimit: 8, extra: ['--account=proj42', '--qos=short'] },
    });
    const [script, ...more] = ex.scripts(pending([run('two_d_rosenbrock', 42, '/scratch/ana/results'), run('mnist_logreg', 42, '/scratch/ana/results'), run('mnist_logreg', 43, '/scratch/ana/results')]));
    expect(more).toEqual([]);
    expect(script.split('\n').filter((l) => l.startsWith('#SBATCH'))).toEqual([
      '#SBATCH --job-name=cv',
      '#SBATCH --array=0-2%8',
      '#SBATCH --output=/scratch/ana/sweep-slurm/logs/slurm-%A_%a.out',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=1-02:00:00',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --gres=gpu:a100:1',
      '#SBATCH --account=proj42',
      '#SBATCH --qos=short',
    ]);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('RUNNER=(/opt/node/bin/node /opt/deepobs/dist/cli.js)');
    const key = runKey(run('mnist_logreg', 43, '/scratch/ana/results'));
    expect(script).toContain(
      `  2) RUN=${taskId(key)}; ARGS=(run mnist_logreg --optimizer SGD --lr 0.05 --random_seed 43 --num_epochs 2 --output_dir /scratch/ana/results) ;;`,
    );
    // Portable: the only absolute paths are the runner's and the folders chosen for the sweep.
    const paths = script.match(/(?<![\w$}/:])\/[\w./%-]+/g)!;
    const allowed = ['/bin/bash', '/opt/node/bin/node', '/opt/deepobs/dist/cli.js', '/scratch/ana/sweep-slurm', '/scratch/ana/results', '/dev/null'];
    expect(paths.filter((p) => !allowed.some((a) => p.startsWith(a)))).toEqual([]);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(ex.commandFor(run('two_d_rosenbrock', 1, '/r')).slice(0, 3)).toEqual(['/opt/node/bin/node', '/opt/deepobs/dist/cli.js', 'run']);
  });

  it('streams through flightdeck train when given a flightdeck serve address', () => {
    const flightdeck = ['/opt/node/bin/node', '/opt/flightdeck/dist/cli.js'];
    const ex = new SlurmExecutor({ runner: ['/opt/node/bin/node', '/opt/deepobs/dist/cli.js'], stateDir: '/s', stream: 'tcp://login01:5555', streamRunner: flightdeck });
    const momentum: SweepRun = { problem: 'mnist_logreg', optimizer: 'Momentum', hyperparameters: { lr: 0.01, momentum: 0.9, nesterov: true }, seed: 3, numEpochs: 2, batchSize: 64, outputDir: '/r' };
    const args = ['train', 'mnist_logreg', '--optimizer', 'Momentum', '--lr', '0.01', '--hp', 'momentum=0.9', '--hp', 'nesterov=true', '--seed', '3', '--epochs', '2', '--batch-size', '64', '--deepobs', '/r', '--bridge', 'tcp://login01:5555'];
    expect(ex.commandFor(momentum)).toEqual([...flightdeck, ...args]);
    const [script] = ex.scripts(pending([momentum]));
    expect(script).toContain('RUNNER=(/opt/node/bin/node /opt/flightdeck/dist/cli.js)');
    expect(script).toContain(`ARGS=(${args.join(' ')}) ;;`);
    // The runner's own options go over under flightdeck train's names.
    expect(ex.commandFor({ ...momentum, lrSchedule: 'cosine', trainLogInterval: 5, weightDecay: 0.001 }).slice(flightdeck.length)).toEqual([
      ...args.slice(0, -4),
      ...['--lr-schedule', 'cosine', '--train-log-interval', '5', '--weight-decay', '0.001'],
      ...args.slice(-4),
    ]);

    // With CurveZMQ keys the script names the key pair file, never the secret key; a Z85 key's shell characters survive.
    const serverKey = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
    const curved = new SlurmExecutor({ runner: ['/n'], stateDir: '/s', stream: 'tcp://login01:5555', streamRunner: flightdeck, streamCurve: { serverKey, clientKeysFile: '/home/ana/task-keys.json' } });
    const curveArgs = [...args, '--curve-server-key', serverKey, '--curve-client-keys', '/home/ana/task-keys.json'];
    expect(curved.commandFor(momentum)).toEqual([...flightdeck, ...curveArgs]);
    const argsLine = curved.scripts(pending([momentum]))[0].split('\n').find((l) => l.includes('ARGS=('))!;
    const printed = spawnSync('bash', ['-c', `case 0 in\n${argsLine}\nesac\nprintf '%s\\n' "\${ARGS[@]}"`], { encoding: 'utf8' });
    expect(printed.stdout.split('\n').slice(0, -1)).toEqual(curveArgs);
    const curveOptions = (streamCurve: { serverKey: string; clientKeysFile: string }, withStream = true) => () =>
      new SlurmExecutor({ runner: ['/n'], stateDir: '/s', ...(withStream ? { stream: 'tcp://h:1' } : {}), streamRunner: flightdeck, streamCurve });
    expect(curveOptions({ serverKey, clientKeysFile: '/k.json' }, false)).toThrow('--stream-curve-server-key and --stream-curve-client-keys are for --stream');
    expect(curveOptions({ serverKey: '', clientKeysFile: '/k.json' })).toThrow('--stream-curve-client-keys needs --stream-curve-server-key');
    expect(curveOptions({ serverKey, clientKeysFile: '' })).toThrow('--stream-curve-server-key needs --stream-curve-client-keys');
    expect(curveOptions({ serverKey, clientKeysFile: 'k.json' })).toThrow('--stream-curve-client-keys must be an absolute path on a filesystem the nodes share, got k.json');
    expect(() => new SlurmExecutor({ runner: ['node'], stateDir: '/s', stream: 'tcp://h:1' })).toThrow('--stream runs `flightdeck train`: put flightdeck on PATH or give --stream-runner');

    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'flightdeck'), '#!/usr/bin/env node\n', { mode: 0o755 });
    expect(flightdeckRunner(`/nonexistent:${bin}`)).toEqual([process.execPath, realpathSync(join(bin, 'flightdeck'))]);
    expect(flightdeckRunner('/nonexistent')).toBeUndefined();
  });

  it('leaves out the options not given and splits runs beyond the array size into several arrays', () => {
    const ex = new SlurmExecutor({ runner: ['/usr/bin/node', '/x/cli.js'], stateDir: '/s', maxArraySize: 2 });
    const scripts = ex.scripts(pending([1, 2, 3, 4, 5].map((s) => run('two_d_beale', s, '/r'))));
    expect(scripts.map((s) => s.split('\n').filter((l) => l.startsWith('#SBATCH')))).toEqual([
      ['#SBATCH --job-name=deepobs-sweep', '#SBATCH --array=0-1', '#SBATCH --output=/s/logs/slurm-%A_%a.out'],
      ['#SBATCH --job-name=deepobs-sweep', '#SBATCH --array=0-1', '#SBATCH --output=/s/logs/slurm-%A_%a.out'],
      ['#SBATCH --job-name=deepobs-sweep', '#SBATCH --array=0-0', '#SBATCH --output=/s/logs/slurm-%A_%a.out'],
    ]);
    expect(scripts[2]).toContain('--random_seed 5');
  });

  it('runs as an array task under bash: the run, its log and status files; a finished run is not run again; a failure keeps its exit code', () => {
    const stateDir = join(dir, 'state with space');
    const out = join(dir, 'results');
    const runs = [run('two_d_quadratic', 42, out), run('crash', 42, out)];
    const script = slurmScript(
      runs.map((r) => ({ id: taskId(runKey(r)), args: runArgs(r) })),
      { runner: [process.execPath, FAKE_RUNNER], stateDir, sbatch: {} },
    );
    const file = join(dir, 'array.sbatch');
    writeFileSync(file, script);
    const task = (index: string | undefined) =>
      spawnSync('bash', [file], { encoding: 'utf8', env: { PATH: process.env.PATH, ...(index === undefined ? {} : { SLURM_ARRAY_TASK_ID: index }), SLURM_ARRAY_JOB_ID: '7', SLURM_JOB_ID: '9' } });

    const ok = task('0');
    expect(ok.status).toBe(0);
    const id = taskId(runKey(runs[0]));
    expect(readFileSync(join(stateDir, 'tasks', `${id}.exit`), 'utf8')).toBe('0\n');
    expect(readFileSync(join(stateDir, 'tasks', `${id}.start`), 'utf8')).toBe(`job 7_0 on ${hostname()}\n`);
    const log = readFileSync(join(stateDir, 'logs', `${id}.log`), 'utf8');
    expect(log).toMatch(new RegExp(`^# \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ job 7_0 on ${hostname()}: `));
    expect(log).toContain('trained two_d_quadratic with lr 0.05');
    const setting = join(out, 'two_d_quadratic', 'GradientDescentOptimizer', 'num_epochs__2__batch_size__8__lr__0.05');
    expect(readdirSync(setting)).toHaveLength(1);

    const again = task('0');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`run ${id} finished before`);
    expect(readdirSync(setting)).toHaveLength(1);

    const crash = task('1');
    expect(crash.status).toBe(3);
    const crashId = taskId(runKey(runs[1]));
    expect(readFileSync(join(stateDir, 'tasks', `${crashId}.exit`), 'utf8')).toBe('3\n');
    expect(readFileSync(join(stateDir, 'logs', `${crashId}.log`), 'utf8')).toContain('boom: the model exploded');

    const outside = task(undefined);
    expect(outside.status).not.toBe(0);
    expect(outside.stderr).toContain('submit this script with sbatch: it is a job array');
    const beyond = task('2');
    expect(beyond.status).toBe(2);
    expect(beyond.stderr).toContain('array task 2: no run with this index in this script');
  });

  it('rejects bad options with the flag and the value', () => {
    const make = (o: Partial<ConstructorParameters<typeof SlurmExecutor>[0]>) => () => new SlurmExecutor({ runner: ['node'], stateDir: '/s', ...o });
    expect(make({ sbatch: { time: 'soon' } })).toThrow('--time: "soon" is not a Slurm time limit');
    expect(make({ sbatch: { gres: 'gpu 1' } })).toThrow('--gres: "gpu 1" is not a generic resource list');
    expect(make({ sbatch: { arrayLimit: 0 } })).toThrow('--array-limit: must be a positive integer, got 0');
    expect(make({ sbatch: { cpusPerTask: 1.5 } })).toThrow('--cpus-per-task: must be a positive integer, got 1.5');
    expect(make({ sbatch: { partition: 'gpu; rm -rf /' } })).toThrow('--partition: "gpu; rm -rf /" is not a Slurm name');
    expect(make({ sbatch: { extra: ['account=x'] } })).toThrow('--sbatch: "account=x" is not one sbatch option');
    expect(make({ stream: 'localhost:5555' })).toThrow('--stream: "localhost:5555" is not a ZeroMQ address');
    expect(make({ maxRetries: -1 })).toThrow('--max-retries must be an integer ≥ 0, got -1');
    expect(make({ stateDir: 'relative/dir' })).toThrow('the Slurm state folder must be an absolute path, got relative/dir');
    for (const time of ['30', '5:00', '1:30:00', '2-00', '2-12:00:00', 'UNLIMITED']) expect(make({ sbatch: { time } })).not.toThrow();
  });

  it('names the runner by absolute paths', () => {
    const [node, ...rest] = currentRunner();
    expect(node).toBe(process.execPath);
    expect(rest.at(-1)!.startsWith('/')).toBe(true);
  });
});

describe('deepobs sweep --executor slurm --dry-run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurm-dry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the script of the pending runs only, with the options given, and submits nothing', async () => {
    const spec = join(dir, 'sweep.json');
    writeFileSync(spec, JSON.stringify({ output_dir: 'results', problems: ['two_d_quadratic'], optimizers: [{ name: 'SGD', settings: [{ lr: 0.05 }] }], seeds: [42, 43], num_epochs: 2 }));
    // Seed 42 finished before: only seed 43 is pending.
    expect(spawnSync(process.execPath, [FAKE_RUNNER, 'run', 'two_d_quadratic', '--optimizer', 'SGD', '--lr', '0.05', '--random_seed', '42', '--num_epochs', '2', '--output_dir', join(dir, 'results')]).status).toBe(0);
    const runner = `/opt/node/bin/node ${FAKE_RUNNER}`;
    const { stdout } = await sweepCli([spec, '--executor', 'slurm', '--dry-run', '--runner', runner, '--partition', 'cpu', '--time', '10', '--array-limit', '4', '--max-retries', '2', '--sbatch=--account=proj42']);
    expect(stdout).toContain('#SBATCH --array=0-0%4\n#SBATCH --output=' + join(dir, 'sweep-slurm', 'logs', 'slurm-%A_%a.out') + '\n#SBATCH --partition=cpu\n#SBATCH --time=10\n#SBATCH --account=proj42\n');
    expect(stdout).toContain(`RUNNER=(/opt/node/bin/node ${FAKE_RUNNER})`);
    expect(stdout).toContain(`ARGS=(run two_d_quadratic --optimizer SGD --lr 0.05 --random_seed 43 --num_epochs 2 --output_dir ${join(dir, 'results')})`);
    expect(stdout).not.toContain('--random_seed 42');
    expect(existsSync(join(dir, 'sweep-slurm'))).toBe(false);

    // The CurveZMQ key file goes into the script by absolute path (array tasks start in other folders).
    const stream = ['--executor', 'slurm', '--dry-run', '--stream', 'tcp://login01:5555', '--stream-runner', '/opt/node/bin/node /opt/fd/cli.js', '--stream-curve-server-key', 'K'.repeat(40)];
    const streamed = await sweepCli([spec, ...stream, '--stream-curve-client-keys', 'task-keys.json']);
    expect(streamed.stdout).toContain(`--bridge tcp://login01:5555 --curve-server-key ${'K'.repeat(40)} --curve-client-keys ${resolve('task-keys.json')})`);
    await expect(sweepCli([spec, ...stream])).rejects.toThrow('--stream-curve-server-key needs --stream-curve-client-keys');

    await expect(sweepCli([spec, '--dry-run'])).rejects.toThrow('--dry-run prints the Slurm job array script: use it with --executor slurm (not local)');
    await expect(sweepCli([spec, '--executor', 'pbs'])).rejects.toThrow(/Allowed choices are local, slurm/);
    await expect(sweepCli([spec, '--executor', 'slurm', '--dry-run', '--time', 'soon'])).rejects.toThrow('--time: "soon" is not a Slurm time limit');
    await expect(sweepCli([spec, '--executor', 'slurm', '--poll', 'often'])).rejects.toThrow('--poll expects a positive number of seconds, got "often"');
    await expect(sweepCli([spec, '--executor', 'slurm', '--array-limit', '2.5'])).rejects.toThrow('--array-limit expects an integer, got "2.5"');
  });
});
