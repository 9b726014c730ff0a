// What the views know about a run, gathered from its envelopes. A live stream, a stored run and an imported
// Cockpit log all go through the same collector, so every view sees the same data.
import { RunStatus, type Envelope, type EvaluationRecord, type Quantity, type RunFinished, type RunStarted } from '@flightdeck/core';

export type RunState = 'active' | 'completed' | 'diverged' | 'failed' | 'interrupted';

export interface Point<T> {
  step: number;
  value: T;
}

export interface RunData {
  runId: string;
  started?: RunStarted;
  finished?: RunFinished;
  /** Quantity values by `key(name, param)`, sorted by the step they belong to (`forStep` for two-step quantities). */
  quantities: Map<string, Point<Quantity>[]>;
  /** StepRecord.loss (the mini-batch loss, also logged without Cockpit). */
  losses: Point<number>[];
  evaluations: EvaluationRecord[];
  /** Every step that has a value: the rows of the original plotter's table (its EMA counts gaps in rows). */
  rows: number[];
  /** Envelopes taken in, and when the last one arrived (producer time, µs). */
  records: number;
  lastTimeUnixUs: number;
}

export function quantityKey(name: string, param?: string | null): string {
  return param ? `${name}[${param}]` : name;
}

export function runState(run: RunData): RunState {
  switch (run.finished?.status) {
    case undefined:
    case null:
      return 'active';
    case RunStatus.COMPLETED:
      return 'completed';
    case RunStatus.DIVERGED:
      return 'diverged';
    case RunStatus.FAILED:
      return 'failed';
    default:
      return 'interrupted';
  }
}

function insertSorted<T>(list: Point<T>[], p: Point<T>): void {
  let i = list.length;
  while (i > 0 && list[i - 1].step > p.step) i--;
  if (i > 0 && list[i - 1].step === p.step) list[i - 1] = p;
  else list.splice(i, 0, p);
}

function insertRow(rows: number[], step: number): void {
  let i = rows.length;
  while (i > 0 && rows[i - 1] > step) i--;
  if (i === 0 || rows[i - 1] !== step) rows.splice(i, 0, step);
}

/** Gathers envelopes into runs; `add` returns the run it changed. */
export class RunCollector {
  readonly runs = new Map<string, RunData>();

  add(env: Envelope): RunData | undefined {
    const runId = env.runId;
    if (!runId) return undefined;
    let run = this.runs.get(runId);
    if (!run) {
      run = { runId, quantities: new Map(), losses: [], evaluations: [], rows: [], records: 0, lastTimeUnixUs: 0 };
      this.runs.set(runId, run);
    }
    run.records++;
    run.lastTimeUnixUs = Math.max(run.lastTimeUnixUs, Number(env.timeUnixUs ?? 0));
    if (env.runStarted) run.started = env.runStarted;
    else if (env.runFinished) run.finished = env.runFinished;
    else if (env.evaluation) run.evaluations.push(env.evaluation);
    else if (env.step) {
      const rec = env.step;
      const step = Number(rec.step ?? 0);
      if (rec.loss != null) {
        insertSorted(run.losses, { step, value: rec.loss });
        insertRow(run.rows, step);
      }
      for (const q of rec.quantities ?? []) {
        const at = Number(q.forStep ?? step);
        const key = quantityKey(q.name ?? '', q.param);
        const list = run.quantities.get(key) ?? [];
        insertSorted(list, { step: at, value: q });
        run.quantities.set(key, list);
        insertRow(run.rows, at);
      }
    }
    return run;
  }
}

export function collectRuns(envelopes: Iterable<Envelope>): RunData[] {
  const c = new RunCollector();
  for (const e of envelopes) c.add(e);
  return [...c.runs.values()];
}
