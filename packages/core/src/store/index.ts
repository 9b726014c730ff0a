export * from './entry.js';
export * from './errors.js';
export { type FsyncPolicy, LOG_EXT, RUNS_DIR, logFile } from './layout.js';
export type { RecoveryCut } from './recover.js';
export type { StoreStats } from './run-log.js';
export * from './run-store.js';
export * from './store-sink.js';
