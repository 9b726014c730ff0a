// `deepobs sweep … --executor slurm`: the Slurm options of the sweep command and what it does with them.
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { SweepExecutor } from '../executor.js';
import type { SweepRun } from '../spec.js';
import { SlurmExecutor, slurmDryRun } from './executor.js';
import { flightdeckRunner } from './stream.js';

export interface SlurmSweepFlags {
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  gres?: string;
  arrayLimit?: number;
  maxRetries?: number;
  /** The local executor's retry flag, used when --max-retries is not given. */
  retries?: number;
  stream?: string;
  streamRunner?: string;
  streamCurveServerKey?: string;
  streamCurveClientKeys?: string;
  slurmDir?: string;
  maxArraySize?: number;
  sbatch: string[];
  poll: number;
  dryRun?: boolean;
  runner?: string;
}

const integer = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`${flag} expects an integer, got "${v}"`);
  return n;
};

function positiveSeconds(v: string): number {
  const n = Number(v);
  if (!(n > 0 && Number.isFinite(n))) throw new Error(`--poll expects a positive number of seconds, got "${v}"`);
  return n;
}

/** Adds the Slurm executor's options to the sweep command. */
export function addSlurmOptions(cmd: Command): Command {
  const slurm = (flags: string, description: string) => new Option(flags, `[slurm] ${description}`);
  return cmd
    .addOption(slurm('--partition <name>', 'partition of the array tasks'))
    .addOption(slurm('--time <limit>', 'wall-clock limit per run (minutes, HH:MM:SS or D-HH:MM:SS)'))
    .addOption(slurm('--cpus-per-task <n>', 'CPUs per run').argParser(integer('--cpus-per-task')))
    .addOption(slurm('--gres <list>', 'generic resources per run, e.g. gpu:1'))
    .addOption(slurm('--array-limit <k>', 'array tasks running at once (sbatch %K)').argParser(integer('--array-limit')))
    .addOption(slurm('--max-retries <r>', 'submissions again of a failed run before it is recorded as failed (default: --retries)').argParser(integer('--max-retries')))
    .addOption(slurm('--stream <address>', 'flightdeck serve address every run streams its records to (tcp://host:port); the runs go through `flightdeck train`'))
    .addOption(slurm('--stream-runner <command>', 'the flightdeck command for --stream (default: flightdeck on PATH, by absolute path)'))
    .addOption(slurm('--stream-curve-server-key <z85>', 'with --stream to a `flightdeck serve --public`: the server\'s CurveZMQ public key'))
    .addOption(slurm('--stream-curve-client-keys <file>', 'with --stream to a `flightdeck serve --public`: the tasks\' key pair file (from `flightdeck keys --out`, allowed by the server), on a filesystem the nodes share'))
    .addOption(slurm('--slurm-dir <dir>', 'scripts, per-run logs and status files, on a filesystem the nodes share (default <sweep file folder>/sweep-slurm)'))
    .addOption(slurm('--max-array-size <n>', "array tasks per job array (default: the cluster's MaxArraySize)").argParser(integer('--max-array-size')))
    .addOption(slurm('--sbatch <option>', 'a further sbatch option, repeatable (e.g. --sbatch=--account=proj42)').argParser((v: string, prev: string[]) => [...prev, v]).default([], 'none'))
    .addOption(slurm('--poll <seconds>', 'squeue interval').argParser(positiveSeconds).default(5))
    .addOption(slurm('--dry-run', 'print the sbatch script of the pending runs instead of submitting it'));
}

/**
 * The runner command of this very deepobs process, by absolute paths: the node binary and the real path of the
 * script it runs (through npx or a node_modules/.bin link this is the package's own entry point), with node's
 * preload options (`-r hook.cjs`) made absolute. Batch jobs do not get the login shell's PATH, so names alone
 * (`deepobs`, `npx deepobs`) may not resolve on a compute node.
 */
export function currentRunner(): string[] {
  const execArgv = process.execArgv.map((a, i, all) => (['-r', '--require', '--import'].includes(all[i - 1]) && a.startsWith('.') ? resolve(a) : a));
  return [process.execPath, ...execArgv, realpathSync(process.argv[1])];
}

/** The executor of `deepobs sweep <file> --executor slurm` with the given flags. */
export function slurmExecutorFor(file: string, o: SlurmSweepFlags): SlurmExecutor {
  return new SlurmExecutor({
    runner: o.runner ? o.runner.split(' ').filter(Boolean) : currentRunner(),
    stateDir: resolve(o.slurmDir ?? join(dirname(file), 'sweep-slurm')),
    sbatch: {
      ...(o.partition !== undefined ? { partition: o.partition } : {}),
      ...(o.time !== undefined ? { time: o.time } : {}),
      ...(o.cpusPerTask !== undefined ? { cpusPerTask: o.cpusPerTask } : {}),
      ...(o.gres !== undefined ? { gres: o.gres } : {}),
      ...(o.arrayLimit !== undefined ? { arrayLimit: o.arrayLimit } : {}),
      extra: o.sbatch,
    },
    maxRetries: o.maxRetries ?? o.retries ?? 1,
    ...(o.stream !== undefined ? { stream: o.stream, streamRunner: o.streamRunner ? o.streamRunner.split(' ').filter(Boolean) : flightdeckRunner() } : {}),
    ...(o.streamCurveServerKey !== undefined || o.streamCurveClientKeys !== undefined
      ? { streamCurve: { serverKey: o.streamCurveServerKey ?? '', clientKeysFile: o.streamCurveClientKeys ? resolve(o.streamCurveClientKeys) : '' } }
      : {}),
    ...(o.maxArraySize !== undefined ? { maxArraySize: o.maxArraySize } : {}),
    pollMs: o.poll * 1000,
  });
}

/** `--dry-run`: prints the job array scripts of the pending runs (a note on stderr when there are none or several). */
export async function printSlurmDryRun(runs: SweepRun[], executor: SweepExecutor): Promise<void> {
  if (!(executor instanceof SlurmExecutor)) throw new Error(`--dry-run prints the Slurm job array script: use it with --executor slurm (not ${executor.name})`);
  const scripts = await slurmDryRun(runs, executor);
  if (scripts.length === 0) process.stderr.write(`all ${runs.length} runs are finished: nothing to submit\n`);
  if (scripts.length > 1) process.stderr.write(`${scripts.length} job arrays (at most --max-array-size tasks each); deepobs sweep submits them one after another\n`);
  process.stdout.write(scripts.join('\n'));
}
