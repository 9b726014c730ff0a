// The Slurm executor: pending runs go to the cluster as job arrays (one array task per run, at most the cluster's
// MaxArraySize per array, one array at a time so that `%K` bounds the whole sweep); each array is followed with
// squeue and the status files its tasks write; failed runs are submitted again in a new array, up to maxRetries
// times, and then reported failed with the tail of their log.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExecutorHooks, PendingRun, RunOutcome, SweepExecutor } from '../executor.js';
import { pendingRuns } from '../run-sweep.js';
import { runArgs, type SweepRun } from '../spec.js';
import { arrayTaskStates, maxArraySize, queuedJobs, sbatch } from './commands.js';
import { checkSbatchOptions, slurmScript, taskId, type SbatchOptions, type SlurmTask } from './script.js';
import { trainArgs, type StreamCurve } from './stream.js';

export interface SlurmExecutorOptions {
  /** The command that starts the DeepOBS runner, before `run …`, by absolute paths (see `currentRunner`). */
  runner: string[];
  /** Folder of the scripts, per-run logs and status files: absolute, on a filesystem the compute nodes share. */
  stateDir: string;
  sbatch?: SbatchOptions;
  /** Submissions again of a failed run before it is recorded as failed (default 1). */
  maxRetries?: number;
  /** A `flightdeck serve` address each run streams its records to: the runs go through `flightdeck train`. */
  stream?: string;
  /** The flightdeck command by absolute paths (see `flightdeckRunner`), needed with `stream`. */
  streamRunner?: string[];
  /** CurveZMQ keys for a `stream` server started with `flightdeck serve --public --curve-keys`. */
  streamCurve?: StreamCurve;
  /** Array tasks per job array (default: the cluster's MaxArraySize from scontrol, else 1000). */
  maxArraySize?: number;
  /** squeue interval (default 5 s; clusters ask users not to poll the controller much more often). */
  pollMs?: number;
  /**
   * How long a task Slurm reports ended without a readable exit file is waited for before it counts as killed:
   * shared filesystems (NFS attribute caches) can show a new file late (default 30 s).
   */
  settleMs?: number;
  /** Lines of a failed run's log kept in the sweep status (default 20). */
  tailLines?: number;
  /** Environment of the Slurm commands (default: this process's; SLURM_CONF selects a cluster). */
  env?: NodeJS.ProcessEnv;
  /** Submission and progress lines (default: to stderr). */
  log?: (line: string) => void;
  /** Least time between two progress lines of an array (default 30 s). */
  progressEveryMs?: number;
}

interface Attempt {
  run: PendingRun;
  task: SlurmTask;
  attempt: number;
}

interface Followed extends Attempt {
  index: number;
  started: boolean;
  /** When Slurm first reported the task ended while its exit file was not there yet. */
  endedWithoutExit?: number;
}

/** Task states after which the batch script ran to its end (and so wrote its exit file, perhaps not yet visible). */
const RAN_TO_END = new Set(['COMPLETED', 'FAILED']);
const STILL_QUEUED = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT', 'RESV_DEL_HOLD', 'SPECIAL_EXIT']);

/** Array tasks start anywhere: the key file must be found by absolute path; the keys themselves flightdeck checks. */
function checkStreamCurve(curve: StreamCurve, stream: string | undefined): void {
  if (stream === undefined) throw new Error('--stream-curve-server-key and --stream-curve-client-keys are for --stream');
  if (!curve.serverKey) throw new Error('--stream-curve-client-keys needs --stream-curve-server-key (the public key `flightdeck serve` prints)');
  if (!curve.clientKeysFile) throw new Error('--stream-curve-server-key needs --stream-curve-client-keys (a key pair file from `flightdeck keys --out`)');
  if (!isAbsolute(curve.clientKeysFile)) throw new Error(`--stream-curve-client-keys must be an absolute path on a filesystem the nodes share, got ${curve.clientKeysFile}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SlurmExecutor implements SweepExecutor {
  readonly name = 'slurm';
  private readonly maxAttempts: number;

  constructor(private readonly options: SlurmExecutorOptions) {
    if (options.runner.length === 0) throw new Error('the Slurm executor needs a runner command');
    if (!isAbsolute(options.stateDir)) throw new Error(`the Slurm state folder must be an absolute path, got ${options.stateDir}`);
    const retries = options.maxRetries ?? 1;
    if (!(Number.isInteger(retries) && retries >= 0)) throw new Error(`--max-retries must be an integer ≥ 0, got ${retries}`);
    if (options.stream !== undefined && !/^(tcp|ipc):\/\/\S+$/.test(options.stream)) throw new Error(`--stream: "${options.stream}" is not a ZeroMQ address (tcp://host:port)`);
    if (options.stream !== undefined && !options.streamRunner?.length) throw new Error('--stream runs `flightdeck train`: put flightdeck on PATH or give --stream-runner');
    if (options.streamCurve !== undefined) checkStreamCurve(options.streamCurve, options.stream);
    if (options.maxArraySize !== undefined && !(Number.isInteger(options.maxArraySize) && options.maxArraySize > 0)) throw new Error(`--max-array-size must be a positive integer, got ${options.maxArraySize}`);
    checkSbatchOptions(options.sbatch ?? {});
    this.maxAttempts = retries + 1;
  }

  commandFor(run: SweepRun): string[] {
    return [...this.runner(), ...this.argsFor(run)];
  }

  /** The job array scripts of the given runs (several when they exceed the array size): what `--dry-run` prints. */
  scripts(runs: PendingRun[], arraySize = this.options.maxArraySize ?? 1000): string[] {
    const tasks = runs.map((r) => this.taskFor(r));
    const out: string[] = [];
    for (let i = 0; i < tasks.length; i += arraySize) out.push(this.script(tasks.slice(i, i + arraySize)));
    return out;
  }

  async execute(runs: PendingRun[], hooks: ExecutorHooks): Promise<void> {
    const dir = this.options.stateDir;
    await mkdir(join(dir, 'logs'), { recursive: true });
    await mkdir(join(dir, 'tasks'), { recursive: true });
    await this.refuseWhileQueued();
    const arraySize = this.options.maxArraySize ?? (await maxArraySize(this.options.env)) ?? 1000;
    const queue: Attempt[] = runs.map((run) => ({ run, task: this.taskFor(run), attempt: 1 }));
    for (let round = 1; queue.length > 0; round++) {
      const retries = await this.runArray(queue.splice(0, arraySize), hooks, round);
      queue.push(...retries);
    }
  }

  private runner(): string[] {
    return this.options.stream ? this.options.streamRunner! : this.options.runner;
  }

  private argsFor(run: SweepRun): string[] {
    // Absolute, so the results land in the same folder whatever directory the array task starts in.
    const outputDir = resolve(run.outputDir);
    return this.options.stream ? trainArgs(run, this.options.stream, outputDir, this.options.streamCurve) : runArgs({ ...run, outputDir });
  }

  private taskFor(run: PendingRun): SlurmTask {
    return { id: taskId(run.key), args: this.argsFor(run.spec) };
  }

  private script(tasks: SlurmTask[]): string {
    return slurmScript(tasks, { runner: this.runner(), stateDir: this.options.stateDir, sbatch: this.options.sbatch ?? {} });
  }

  private log(line: string): void {
    (this.options.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }

  /** Every job this state folder submitted: job id, time, script. */
  private jobsFile(): string {
    return join(this.options.stateDir, 'jobs.tsv');
  }

  /** An earlier submission still in the queue would run its runs a second time beside this one's. */
  private async refuseWhileQueued(): Promise<void> {
    const text = await readFile(this.jobsFile(), 'utf8').catch(() => '');
    const ids = text.split('\n').map((l) => l.split('\t')[0]).filter((id) => /^\d+$/.test(id)).slice(-100);
    const queued = await queuedJobs(ids, this.options.env);
    if (queued.length)
      throw new Error(`an earlier submission of this sweep is still in the Slurm queue (job ${queued.join(', ')}, from ${this.jobsFile()}): wait for it (squeue -j ${queued.join(',')}) or cancel it (scancel ${queued.join(' ')}), then submit again`);
  }

  private file(kind: 'exit' | 'start' | 'log', task: SlurmTask): string {
    return kind === 'log' ? join(this.options.stateDir, 'logs', `${task.id}.log`) : join(this.options.stateDir, 'tasks', `${task.id}.${kind}`);
  }

  /** Submits one array and follows it to its end; resolves to the attempts to submit again. */
  private async runArray(batch: Attempt[], hooks: ExecutorHooks, round: number): Promise<Attempt[]> {
    // A status file left by an earlier submission must not be taken for this one's.
    await Promise.all(batch.flatMap((a) => [rm(this.file('exit', a.task), { force: true }), rm(this.file('start', a.task), { force: true })]));
    const scriptFile = join(this.options.stateDir, `array-${new Date().toISOString().replace(/[:.]/g, '-')}-${round}.sbatch`);
    await writeFile(scriptFile, this.script(batch.map((a) => a.task)), { mode: 0o755 });
    const jobId = await sbatch(scriptFile, this.options.env);
    await appendFile(this.jobsFile(), `${jobId}\t${new Date().toISOString()}\t${scriptFile}\n`);
    const retrying = batch.filter((a) => a.attempt > 1).length;
    this.log(`slurm: submitted job ${jobId}: ${batch.length} run${batch.length === 1 ? '' : 's'}${retrying ? ` (${retrying} retried)` : ''}, script ${scriptFile}; logs in ${join(this.options.stateDir, 'logs')}. Cancel with \`scancel ${jobId}\`; running the sweep again resumes it.`);

    const open = new Map<number, Followed>(batch.map((a, index) => [index, { ...a, index, started: false }]));
    const again: Attempt[] = [];
    const counts = { done: 0, failed: 0, retry: 0 };
    let lastLine = '';
    let lastLogged = 0;
    const submitted = Date.now();
    let queryFailures = 0;
    while (open.size > 0) {
      await sleep(this.options.pollMs ?? 5000);
      let states: Map<number, string> | undefined;
      try {
        states = await arrayTaskStates(jobId, this.options.env);
        queryFailures = 0;
      } catch (e) {
        // A busy controller times out now and then; only a lasting failure ends the sweep (the jobs keep running).
        if (++queryFailures >= 10) throw new Error(`following Slurm job ${jobId}: ${(e as Error).message}`);
        this.log(`slurm: job ${jobId}: ${(e as Error).message} (will ask again)`);
        continue;
      }
      for (const t of [...open.values()]) {
        const state = states?.get(t.index);
        const exit = await readExit(this.file('exit', t.task));
        if (!t.started && (exit !== undefined || (state !== undefined && state !== 'PENDING') || existsSync(this.file('start', t.task)))) {
          t.started = true;
          hooks.onStart(t.run, t.attempt);
        }
        if (exit === undefined && state !== undefined && STILL_QUEUED.has(state)) continue;
        if (exit === undefined && (state === undefined || RAN_TO_END.has(state))) {
          t.endedWithoutExit ??= Date.now();
          if (Date.now() - t.endedWithoutExit < (this.options.settleMs ?? 30_000)) continue;
        }
        open.delete(t.index);
        const arrayTask = `${jobId}_${t.index}`;
        const outcome = await this.outcome(t, arrayTask, state, exit, hooks);
        if (outcome.status === 'failed' && t.attempt < this.maxAttempts) {
          counts.retry++;
          this.log(`slurm: array task ${arrayTask} (${t.run.key}) attempt ${t.attempt} failed: ${outcome.error}; submitting it again`);
          again.push({ run: t.run, task: t.task, attempt: t.attempt + 1 });
          continue;
        }
        counts[outcome.status]++;
        await hooks.onFinish(t.run, outcome);
      }
      const running = [...open.values()].filter((t) => t.started).length;
      const ended = batch.length - open.size;
      const eta = ended > 0 && open.size > 0 ? `, ETA ${formatSeconds(((Date.now() - submitted) / ended) * open.size)}` : '';
      const line = `slurm: job ${jobId}: ${counts.done} done, ${counts.failed} failed, ${counts.retry} to retry, ${running} running, ${open.size - running} pending`;
      // A line per change, at most one per progressEveryMs (the last always), beside the sweep's progress bar.
      if (line !== lastLine && (open.size === 0 || Date.now() - lastLogged >= (this.options.progressEveryMs ?? 30_000))) {
        this.log(line + eta);
        lastLine = line;
        lastLogged = Date.now();
      }
    }
    return again;
  }

  private async outcome(t: Followed, arrayTask: string, state: string | undefined, exit: number | undefined, hooks: ExecutorHooks): Promise<RunOutcome> {
    const where = `array task ${arrayTask}`;
    if (exit === 0) {
      const resultFile = await hooks.detect(t.run);
      if (resultFile) return { status: 'done', resultFile, attempts: t.attempt };
    }
    const error =
      exit === 0
        ? `the runner exited with 0 but wrote no matching result file (${where})`
        : exit !== undefined
          ? `the runner exited with ${exit} (${where})`
          : `${where} ended ${state ?? '(no longer known to Slurm)'} without an exit status: cancelled, killed, out of time or memory, or its node failed`;
    const logFile = this.file('log', t.task);
    const slurmOut = join(this.options.stateDir, 'logs', `slurm-${arrayTask}.out`);
    return { status: 'failed', attempts: t.attempt, error, logTail: await logTail([logFile, slurmOut], this.options.tailLines ?? 20), logFile };
  }
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

async function readExit(file: string): Promise<number | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The last lines of each existing, non-empty file, each under a header naming it. */
async function logTail(files: string[], lines: number): Promise<string> {
  const parts: string[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch(() => '');
    if (text.trim()) parts.push(`==> ${f} <==\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`);
  }
  return parts.join('\n');
}

/** What `deepobs sweep --executor slurm --dry-run` prints: the job array scripts of the runs not yet finished. */
export async function slurmDryRun(runs: SweepRun[], executor: SlurmExecutor): Promise<string[]> {
  const { pending } = await pendingRuns(runs);
  return pending.length ? executor.scripts(pending) : [];
}
