// Where `cockpit plot` and the dashboard get a finished run from: a run-store log (`runs/<id>.fdlog`), a store
// folder, or a Cockpit JSON log (ours or the original's). Reading a log file directly needs no store lock, so a
// run can be plotted while a server holds the store open.
import { stat, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LOG_EXT, RUNS_DIR, decodeEnvelope, readFrameFile, type Envelope } from '@flightdeck/core';
import { cockpitLogToEnvelopes, readCockpitLogFile } from '../log/index.js';

export interface LoadOptions {
  /** Which run of a store folder. */
  runId?: string;
  /** Parameter names for a Cockpit JSON log (it does not record them). */
  parameterNames?: readonly string[];
  /** Told about a damaged tail or undecodable records (which were skipped), naming file and offset. */
  warn?: (message: string) => void;
}

/** Reads the envelopes of a run-store log; a damaged tail is reported, and the complete records before it kept. */
export async function readRunLogFile(path: string, warn: (m: string) => void = console.warn): Promise<Envelope[]> {
  const reader = readFrameFile(path);
  const out: Envelope[] = [];
  for await (const frame of reader) {
    const r = decodeEnvelope(frame.payload);
    if (r.ok) out.push(r.envelope);
    else warn(`${path} @${frame.offset}: skipped a record: ${r.error.message}`);
  }
  const fault = reader.tail?.fault;
  if (fault) warn(`${path}: ${fault.reason} after byte ${reader.tail!.goodEnd} (${fault.detail}); the ${reader.tail!.records} complete records before it are used`);
  return out;
}

/** A run id from a file name, restricted to the characters the schema allows. */
export function runIdFromPath(path: string): string {
  return basename(path).replace(/\.json$/, '').replace(/[^A-Za-z0-9._:-]/g, '_') || 'log';
}

export async function loadEnvelopes(source: string, options: LoadOptions = {}): Promise<Envelope[]> {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new Error(`${source}: no such file or folder`);
  if (info.isDirectory()) {
    const runsDir = join(source, RUNS_DIR);
    const logs = (await readdir(runsDir).catch(() => [] as string[])).filter((f) => f.endsWith(LOG_EXT));
    if (logs.length === 0) throw new Error(`${source}: not a run store (no ${RUNS_DIR}/*${LOG_EXT})`);
    const ids = logs.map((f) => f.slice(0, -LOG_EXT.length));
    const runId = options.runId ?? (ids.length === 1 ? ids[0] : undefined);
    if (!runId) throw new Error(`${source} holds ${ids.length} runs; choose one with --run: ${ids.join(', ')}`);
    if (!ids.includes(runId)) throw new Error(`${source}: no run ${runId} (runs: ${ids.join(', ')})`);
    return readRunLogFile(join(runsDir, `${runId}${LOG_EXT}`), warn);
  }
  if (source.endsWith(LOG_EXT)) return readRunLogFile(source, warn);
  const log = await readCockpitLogFile(source);
  return cockpitLogToEnvelopes(log, { runId: options.runId ?? runIdFromPath(source), parameterNames: options.parameterNames, source, timeUnixUs: Math.round(info.mtimeMs * 1000) });
}
