/** The store's folder: `<root>/runs/<runId>.fdlog` (one append-only log per run), `<root>/index.json`, `<root>/LOCK`. */
export const RUNS_DIR = 'runs';
export const LOG_EXT = '.fdlog';

/** A run's log, relative to the store's folder. */
export function logFile(runId: string): string {
  return `${RUNS_DIR}/${runId}${LOG_EXT}`;
}

/** How hard the store pushes writes to the disk; see RunStore for the guarantee each gives. */
export type FsyncPolicy = 'always' | 'interval' | 'never';
