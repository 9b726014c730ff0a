/** What went wrong in the run store. */
export type StoreErrorCode =
  /** A read, write, fsync or truncate failed. */
  | 'io'
  /** No log for this run id. */
  | 'unknown_run'
  /** A log holds bytes that are not a valid record where a reader expected one. */
  | 'corrupt'
  /** An append to a run whose log hit an I/O error earlier; reopening the store recovers it. */
  | 'broken'
  /** A record refused because its sequence number is not after the last one stored. */
  | 'duplicate'
  /** Another process (or this one) has the store open. */
  | 'locked'
  /** The store was closed. */
  | 'closed';

export interface StoreLocation {
  runId?: string;
  /** The file, relative to the store's folder where it is inside it. */
  file?: string;
  offset?: number;
}

/** A run store failure; the message names the run, the file and the byte offset wherever they are known. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    detail: string,
    readonly where: StoreLocation = {},
    options?: { cause?: unknown },
  ) {
    super(`${detail}${describeLocation(where)}`, options);
    this.name = 'StoreError';
  }
}

function describeLocation({ runId, file, offset }: StoreLocation): string {
  const parts = [runId !== undefined && `run ${runId}`, file !== undefined && `file ${file}`, offset !== undefined && `offset ${offset}`];
  const named = parts.filter(Boolean);
  return named.length ? ` (${named.join(', ')})` : '';
}
