// A Cockpit log as a run of envelopes, so that a log file replays like any stored or live run.
import { RunStatus, SCHEMA_VERSION, type Envelope, type RunStarted } from '@flightdeck/core';
import { cockpitLogToRecords, type CockpitLog, type ReadOptions } from './convert.js';

export interface LogRunOptions extends ReadOptions {
  runId: string;
  /** Extra RunStarted fields (test problem, optimizer, ...); the log itself does not say. */
  started?: RunStarted;
  /** Timestamp of every envelope (the log has no wall-clock times; for example the file's mtime). */
  timeUnixUs?: number;
}

/** RunStarted, the log's records in step order, then RunFinished (COMPLETED at the last step in the log). */
export function cockpitLogToEnvelopes(log: CockpitLog, options: LogRunOptions): Envelope[] {
  const records = cockpitLogToRecords(log, options);
  let seq = 0;
  const wrap = (body: Partial<Envelope>): Envelope => ({
    schemaVersion: SCHEMA_VERSION,
    runId: options.runId,
    seq: seq++,
    timeUnixUs: options.timeUnixUs ?? 0,
    ...body,
  });
  const started: RunStarted = { ...options.started };
  if (options.parameterNames) started.parameterNames = [...options.parameterNames];
  const out = [wrap({ runStarted: started })];
  let lastStep = 0;
  let lastEpoch = 0;
  for (const r of records) {
    out.push(wrap(r.step ? { step: r.step } : { evaluation: r.evaluation }));
    const rec = r.step ?? r.evaluation;
    lastStep = Math.max(lastStep, Number(rec.step ?? 0));
    lastEpoch = Math.max(lastEpoch, Number(rec.epoch ?? 0));
  }
  out.push(wrap({ runFinished: { status: RunStatus.COMPLETED, message: 'imported from a Cockpit log', lastStep, lastEpoch } }));
  return out;
}
