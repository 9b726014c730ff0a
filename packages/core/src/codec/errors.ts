/** Why an envelope was refused. The codes are the ones the bridge sends back in a Reject. */
export type EnvelopeErrorCode = 'malformed' | 'unknown_version' | 'oversize' | 'non_finite' | 'invalid';

/** A typed decoding or validation failure: `path` names the offending field (e.g. "step.quantities[3].histogram1d.edges[7]"). */
export class EnvelopeError extends Error {
  constructor(
    readonly code: EnvelopeErrorCode,
    readonly path: string,
    detail: string,
    readonly runId?: string,
    readonly seq?: number,
  ) {
    super(`${code}${path ? ` at ${path}` : ''}: ${detail}${runId ? ` (run ${runId}${seq !== undefined ? `, seq ${seq}` : ''})` : ''}`);
    this.name = 'EnvelopeError';
  }
}
