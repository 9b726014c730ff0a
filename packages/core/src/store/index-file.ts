import * as fs from 'node:fs';
import { join } from 'node:path';
import type { RunEntry } from './entry.js';
import { fsyncDirectory, writeAll, open, fsync, close } from './fs-util.js';

export const INDEX_FILE = 'index.json';
const FORMAT = 'flightdeck-run-index';
const VERSION = 1;

/** An index entry as saved: with the log's modification time, so that a log changed since can be told apart. */
export interface SavedEntry extends RunEntry {
  mtimeMs: number;
}

/**
 * The saved index, by run id, or why there is none to trust. The index is a cache of what the logs say; the
 * store rebuilds any entry whose log's size or modification time differs from the saved one.
 */
export function readIndex(dir: string): { entries: Map<string, SavedEntry> } | { problem: string } {
  let text: string;
  try {
    text = fs.readFileSync(join(dir, INDEX_FILE), 'utf8');
  } catch (e) {
    return { problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `unreadable: ${(e as Error).message}` };
  }
  let parsed: { format?: unknown; version?: unknown; runs?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { problem: `not JSON: ${(e as Error).message}` };
  }
  if (parsed?.format !== FORMAT || parsed.version !== VERSION || !Array.isArray(parsed.runs)) return { problem: `not a version ${VERSION} ${FORMAT}` };
  const entries = new Map<string, SavedEntry>();
  for (const run of parsed.runs as SavedEntry[]) {
    if (typeof run?.runId === 'string' && typeof run.bytes === 'number' && typeof run.mtimeMs === 'number' && typeof run.records === 'number') {
      entries.set(run.runId, run);
    }
  }
  return { entries };
}

/** Replaces the index atomically (write a temporary file, then rename); durably unless `durable` is false. */
export async function writeIndex(dir: string, entries: Iterable<RunEntry>, durable: boolean): Promise<void> {
  const runs: SavedEntry[] = [];
  for (const entry of entries) {
    const mtimeMs = fs.statSync(join(dir, entry.file), { throwIfNoEntry: false })?.mtimeMs ?? -1;
    runs.push({ ...entry, mtimeMs });
  }
  const tmp = join(dir, `${INDEX_FILE}.tmp`);
  const fd = await open(tmp, 'w');
  try {
    await writeAll(fd, Buffer.from(JSON.stringify({ format: FORMAT, version: VERSION, runs }, null, 1)), 0);
    if (durable) await fsync(fd);
  } finally {
    await close(fd);
  }
  fs.renameSync(tmp, join(dir, INDEX_FILE));
  if (durable) await fsyncDirectory(dir);
}
