// How the runs of a sweep get executed. The sweep driver owns what is pending, result detection and the status
// file; an executor only runs what it is given and reports back. `LocalExecutor` runs a pool of child processes on
// this machine; a cluster executor (Slurm) implements the same interface by submitting `commandFor(run)` lines and
// reporting each run once `detect` finds its result (or the job failed).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { runArgs, type SweepRun } from './spec.js';

export interface PendingRun {
  key: string;
  spec: SweepRun;
}

export type RunOutcome =
  | { status: 'done'; resultFile: string; attempts: number }
  | { status: 'failed'; attempts: number; error: string; logTail: string; logFile?: string };

export interface ExecutorHooks {
  /** The result file of a run if it has one (after the run's process ended). */
  detect(run: PendingRun): Promise<string | undefined>;
  onStart(run: PendingRun, attempt: number): void;
  onFinish(run: PendingRun, outcome: RunOutcome): void | Promise<void>;
}

export interface SweepExecutor {
  readonly name: string;
  /** The command line that runs one run (also what `--emit-commands` prints). */
  commandFor(run: SweepRun): string[];
  /** Runs every given run (each until done or failed) and resolves when all are reported. */
  execute(runs: PendingRun[], hooks: ExecutorHooks): Promise<void>;
}

export interface LocalExecutorOptions {
  /** The command that starts the DeepOBS runner, before `run …` (default ["deepobs"]). */
  runner?: string[];
  /** Processes at once (default: the number of CPU cores). */
  workers?: number;
  /** Attempts per run before it is recorded as failed (default 2: one retry). */
  maxAttempts?: number;
  /** Where each run's output goes (one log file per run, appended per attempt). */
  logDir: string;
  /** Lines of the log kept in the status of a failed run (default 20). */
  tailLines?: number;
}

export class LocalExecutor implements SweepExecutor {
  readonly name = 'local';
  private readonly runner: string[];
  private readonly workers: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: LocalExecutorOptions) {
    this.runner = options.runner ?? ['deepobs'];
    this.workers = Math.max(1, options.workers ?? cpus().length);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 2);
  }

  commandFor(run: SweepRun): string[] {
    return [...this.runner, ...runArgs(run)];
  }

  async execute(runs: PendingRun[], hooks: ExecutorHooks): Promise<void> {
    await mkdir(this.options.logDir, { recursive: true });
    let next = 0;
    const worker = async () => {
      while (next < runs.length) {
        const run = runs[next++];
        await hooks.onFinish(run, await this.runWithRetries(run, hooks));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.workers, runs.length) }, worker));
  }

  private async runWithRetries(run: PendingRun, hooks: ExecutorHooks): Promise<RunOutcome> {
    const logFile = join(this.options.logDir, `${run.key.replace(/[^A-Za-z0-9._=,-]+/g, '_').slice(-200)}.log`);
    let error = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      hooks.onStart(run, attempt);
      const code = await this.spawnOnce(run, logFile, attempt);
      const resultFile = code === 0 ? await hooks.detect(run) : undefined;
      if (resultFile) return { status: 'done', resultFile, attempts: attempt };
      error = code === 0 ? 'the runner exited with 0 but wrote no matching result file' : `the runner exited with ${code}`;
    }
    return { status: 'failed', attempts: this.maxAttempts, error, logTail: await tail(logFile, this.options.tailLines ?? 20), logFile };
  }

  private spawnOnce(run: PendingRun, logFile: string, attempt: number): Promise<number | string> {
    return new Promise((resolve) => {
      const [cmd, ...args] = this.commandFor(run.spec);
      const log = createWriteStream(logFile, { flags: 'a' });
      log.write(`# attempt ${attempt}: ${[cmd, ...args].join(' ')}\n`);
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      const done = (code: number | string) => log.end(() => resolve(code));
      child.on('error', (e) => done(`could not start (${e.message})`));
      child.on('close', (code, signal) => done(code ?? `killed by ${signal}`));
    });
  }
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
