import type { Envelope } from '../schema/index.js';

/** Where a producer writes envelopes. Producers take a Sink and do not know what is behind it. */
export interface Sink {
  /** Accepts one envelope. May apply backpressure by returning a promise. */
  write(envelope: Envelope): void | Promise<void>;
  /** Resolves once everything written so far has reached its destination (disk, socket acknowledgement, ...). */
  flush(): Promise<void>;
  /** Flushes and releases resources; writing after close is an error. */
  close(): Promise<void>;
}

/** A stream of envelopes: a stored run replayed, the ZeroMQ ingest, a runner in process. */
export type Source = AsyncIterable<Envelope>;
