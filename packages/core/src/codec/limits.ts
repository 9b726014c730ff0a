/** Size limits the decoder enforces, so that one bad producer cannot exhaust a server's memory. */
export interface CodecLimits {
  /** Largest encoded envelope accepted, in bytes. */
  maxEnvelopeBytes: number;
  /** Largest embedded checkpoint (Checkpoint.data), in bytes. */
  maxCheckpointBytes: number;
  /** Most quantities in one step record. */
  maxQuantitiesPerStep: number;
  /** Longest run id. */
  maxRunIdLength: number;
}

export const DEFAULT_LIMITS: Readonly<CodecLimits> = Object.freeze({
  maxEnvelopeBytes: 64 * 1024 * 1024,
  maxCheckpointBytes: 60 * 1024 * 1024,
  maxQuantitiesPerStep: 100_000,
  maxRunIdLength: 200,
});
