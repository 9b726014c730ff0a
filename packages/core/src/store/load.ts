import * as fs from 'node:fs';
import { join } from 'node:path';
import type { RunEntry } from './entry.js';
import { readIndex } from './index-file.js';
import { LOG_EXT, RUNS_DIR, logFile } from './layout.js';
import { recoverLog, type RecoveryCut, type ScanOptions } from './recover.js';

/**
 * The index entry of every log in the store. An entry saved in the index is trusted only while its log has the
 * size and modification time saved with it (the store saves the index on open and on close); every other log, and
 * all of them when the index is missing or unreadable, is read and recovered (see recoverLog).
 */
export async function loadRuns(dir: string, options: ScanOptions): Promise<{ entries: RunEntry[]; cuts: RecoveryCut[] }> {
  const saved = readIndex(dir);
  const known = 'entries' in saved ? saved.entries : new Map<string, never>();
  const names = fs.readdirSync(join(dir, RUNS_DIR)).filter((name) => name.endsWith(LOG_EXT) && name.length > LOG_EXT.length);
  if ('problem' in saved && names.length) options.log(`run store: the index of ${dir} is ${saved.problem}; rebuilding it from the logs`);
  const entries: RunEntry[] = [];
  const cuts: RecoveryCut[] = [];
  const rebuilt: string[] = [];
  for (const name of names.sort()) {
    const runId = name.slice(0, -LOG_EXT.length);
    const file = logFile(runId);
    const stat = fs.statSync(join(dir, file));
    const entry = known.get(runId);
    known.delete(runId);
    if (entry && entry.bytes === stat.size && entry.mtimeMs === stat.mtimeMs) {
      const { mtimeMs: _, ...fresh } = entry;
      entries.push({ ...fresh, file });
      continue;
    }
    if ('entries' in saved) rebuilt.push(runId);
    const recovered = await recoverLog(dir, runId, file, options);
    entries.push(recovered.entry);
    if (recovered.cut) cuts.push(recovered.cut);
  }
  if (rebuilt.length) options.log(`run store: the index was stale for ${rebuilt.length} run(s) (${rebuilt.slice(0, 5).join(', ')}${rebuilt.length > 5 ? ', ...' : ''}); rebuilt from their logs`);
  for (const runId of known.keys()) options.log(`run store: the index lists run ${runId} but ${logFile(runId)} does not exist; dropped from the index`);
  return { entries, cuts };
}
