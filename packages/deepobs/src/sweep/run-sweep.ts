// The sweep driver: which runs are pending (finished runs, with a result file, are skipped), the status file, the
// overall progress bar, and an executor that runs the rest.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SingleBar } from 'cli-progress';
import { ResultIndex } from './detect.js';
import type { PendingRun, RunOutcome, SweepExecutor } from './executor.js';
import { runKey, shellQuote, type SweepRun } from './spec.js';

export type RunState =
  | { state: 'pending' | 'running'; attempts: number }
  | { state: 'done'; attempts: number; resultFile: string; skipped?: boolean }
  | { state: 'failed'; attempts: number; error: string; logTail: string; logFile?: string };

/** The status file: every run of the sweep with its state and command, rewritten atomically on each change. */
export interface SweepStatus {
  executor: string;
  updated: string;
  counts: Record<RunState['state'], number>;
  runs: Record<string, RunState & { command: string }>;
}

export interface SweepOptions {
  executor: SweepExecutor;
  statusFile?: string;
  /** Show the overall progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

export interface SweepSummary {
  total: number;
  skipped: number;
  done: number;
  failed: Array<{ key: string; error: string; logTail: string }>;
  status: SweepStatus;
}

/** Pending runs of a sweep: those without a matching result file. */
export async function pendingRuns(runs: SweepRun[], index = new ResultIndex()): Promise<{ pending: PendingRun[]; finished: Array<PendingRun & { resultFile: string }> }> {
  const pending: PendingRun[] = [];
  const finished: Array<PendingRun & { resultFile: string }> = [];
  const seen = new Set<string>();
  for (const spec of runs) {
    const key = runKey(spec);
    if (seen.has(key)) continue;
    seen.add(key);
    const resultFile = await index.find(spec);
    if (resultFile) finished.push({ key, spec, resultFile });
    else pending.push({ key, spec });
  }
  return { pending, finished };
}

/** One shell command per pending run, for an external scheduler. */
export async function emitCommands(runs: SweepRun[], executor: SweepExecutor): Promise<string[]> {
  const { pending } = await pendingRuns(runs);
  return pending.map((r) => shellQuote(executor.commandFor(r.spec)));
}

export async function runSweep(runs: SweepRun[], options: SweepOptions): Promise<SweepSummary> {
  const index = new ResultIndex();
  const { pending, finished } = await pendingRuns(runs, index);
  const ex = options.executor;
  const status: SweepStatus = { executor: ex.name, updated: '', counts: { pending: 0, running: 0, done: 0, failed: 0 }, runs: {} };
  const command = (r: PendingRun) => shellQuote(ex.commandFor(r.spec));
  for (const r of finished) status.runs[r.key] = { state: 'done', attempts: 0, resultFile: r.resultFile, skipped: true, command: command(r) };
  for (const r of pending) status.runs[r.key] = { state: 'pending', attempts: 0, command: command(r) };

  if (options.statusFile) await mkdir(dirname(options.statusFile), { recursive: true });
  let writing = Promise.resolve();
  const save = () => {
    if (!options.statusFile) return writing;
    const file = options.statusFile;
    status.updated = new Date().toISOString();
    for (const k of Object.keys(status.counts) as Array<RunState['state']>) status.counts[k] = 0;
    for (const r of Object.values(status.runs)) status.counts[r.state]++;
    const text = JSON.stringify(status, null, 2);
    // Writes are serialised and atomic, so a reader (or a crash) never sees half a status file.
    writing = writing.then(async () => {
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    });
    return writing;
  };

  const bar = (options.progress ?? process.stderr.isTTY)
    ? new SingleBar({ format: 'sweep |{bar}| {value}/{total} runs | {failed} failed | {running} running | ETA {eta_formatted}', stream: process.stderr })
    : undefined;
  let failedCount = 0;
  let running = 0;
  bar?.start(pending.length, 0, { failed: 0, running: 0 });
  await save();

  const failed: SweepSummary['failed'] = [];
  await ex.execute(pending, {
    detect: (r) => index.refresh(r.spec),
    onStart: (r, attempt) => {
      if (attempt === 1) running++;
      status.runs[r.key] = { state: 'running', attempts: attempt, command: command(r) };
      bar?.update({ failed: failedCount, running });
      void save();
    },
    onFinish: async (r, outcome: RunOutcome) => {
      running--;
      if (outcome.status === 'done') status.runs[r.key] = { state: 'done', attempts: outcome.attempts, resultFile: outcome.resultFile, command: command(r) };
      else {
        failedCount++;
        failed.push({ key: r.key, error: outcome.error, logTail: outcome.logTail });
        status.runs[r.key] = { state: 'failed', attempts: outcome.attempts, error: outcome.error, logTail: outcome.logTail, ...(outcome.logFile ? { logFile: outcome.logFile } : {}), command: command(r) };
      }
      bar?.increment(1, { failed: failedCount, running });
      await save();
    },
  });
  bar?.stop();
  await save();
  return { total: finished.length + pending.length, skipped: finished.length, done: pending.length - failed.length, failed, status };
}
