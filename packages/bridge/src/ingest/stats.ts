import type { EnvelopeErrorCode } from '@flightdeck/core';
import type { Gap } from './sequencer.js';

/** Counts for one connected sender (a client's routing id). */
export interface SenderStats {
  accepted: number;
  duplicates: number;
  rejected: Partial<Record<EnvelopeErrorCode, number>>;
  /** The last refusal, as logged. */
  lastError?: string;
}

/** Counts for one run. */
export interface RunIngestStats {
  lastSeq: number;
  accepted: number;
  duplicates: number;
  gaps: Gap[];
  /** Envelopes waiting for an earlier seq to arrive. */
  held: number;
  finished: boolean;
  interrupted: boolean;
}

export interface IngestStats {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Group commits done (one fsync each when the store syncs). */
  commits: number;
  senders: Record<string, SenderStats>;
  runs: Record<string, RunIngestStats>;
}

export function emptySenderStats(): SenderStats {
  return { accepted: 0, duplicates: 0, rejected: {} };
}
