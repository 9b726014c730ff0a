import type { Envelope } from '../schema/index.js';
import { RunStatus } from '../schema/index.js';

/** Where a run stands, from its records: `active` until a RunFinished record says otherwise. */
export type RunState = 'active' | 'finished' | 'diverged' | 'failed' | 'interrupted';

/** One run of the store's index, derived entirely from the run's log. */
export interface RunEntry {
  runId: string;
  /** The log, relative to the store's folder. */
  file: string;
  /** From the RunStarted record; empty until one is stored. */
  testProblem: string;
  optimizer: string;
  status: RunState;
  /** The RunFinished message (why a run failed, diverged or was interrupted). */
  message?: string;
  firstTimeUnixUs?: number;
  lastTimeUnixUs?: number;
  /** Complete records in the log. */
  records: number;
  /** Highest sequence number stored; undefined for a run without records. */
  lastSeq?: number;
  /** How many times the sequence jumped (the first record counts as a jump unless its seq is 0). */
  gaps: number;
  /** From the last StepRecord or Heartbeat. */
  lastStep?: number;
  lastEpoch?: number;
  /** Bytes of the log on disk, always at a record boundary. */
  bytes: number;
}

const FINISHED_STATE: Record<number, RunState> = {
  [RunStatus.STATUS_UNSPECIFIED]: 'finished',
  [RunStatus.COMPLETED]: 'finished',
  [RunStatus.DIVERGED]: 'diverged',
  [RunStatus.FAILED]: 'failed',
  [RunStatus.INTERRUPTED]: 'interrupted',
};

export function newEntry(runId: string, file: string): RunEntry {
  return { runId, file, testProblem: '', optimizer: '', status: 'active', records: 0, gaps: 0, bytes: 0 };
}

/** The sequence number a run expects next. */
export function expectedSeq(entry: RunEntry): number {
  return entry.lastSeq === undefined ? 0 : entry.lastSeq + 1;
}

/** Updates an entry with one more stored record (its bytes are accounted for by the caller). */
export function applyRecord(entry: RunEntry, env: Envelope): void {
  const seq = Number(env.seq);
  const time = Number(env.timeUnixUs ?? 0);
  entry.records++;
  if (seq !== expectedSeq(entry)) entry.gaps++;
  if (entry.lastSeq === undefined || seq > entry.lastSeq) entry.lastSeq = seq;
  entry.firstTimeUnixUs ??= time;
  entry.lastTimeUnixUs = Math.max(entry.lastTimeUnixUs ?? time, time);
  if (!env.runFinished && entry.status === 'interrupted') {
    // Records after an interruption mark: the producer only paused, and the run is active again.
    entry.status = 'active';
    entry.message = undefined;
  }
  if (env.runStarted) {
    entry.testProblem = env.runStarted.testProblem ?? '';
    entry.optimizer = env.runStarted.optimizer ?? '';
  } else if (env.step) {
    entry.lastStep = Number(env.step.step ?? 0);
    entry.lastEpoch = env.step.epoch ?? 0;
  } else if (env.heartbeat) {
    entry.lastStep = Number(env.heartbeat.step ?? 0);
  } else if (env.runFinished) {
    entry.status = FINISHED_STATE[env.runFinished.status ?? 0] ?? 'finished';
    entry.message = env.runFinished.message || undefined;
  }
}
