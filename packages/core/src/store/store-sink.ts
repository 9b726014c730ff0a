import type { Envelope } from '../schema/index.js';
import type { Sink } from '../stream/types.js';
import { StoreError } from './errors.js';
import { logFile } from './layout.js';
import { RunStore, type AppendResult, type RunStoreOptions } from './run-store.js';

export interface StoreSinkOptions {
  /** Appends in flight before `write` waits for them (backpressure). Default 4096. */
  maxInFlight?: number;
  /** Close the store when the sink is closed. */
  ownsStore?: boolean;
}

/**
 * A Sink that writes straight into a run store, so a producer in the same process persists without a bridge.
 * `write` does not wait for the disk (appends are group-committed in the background) unless too many are in
 * flight; `flush` waits for all of them and syncs, and throws if the store refused a record (invalid or duplicate)
 * or could not write it. Gaps are stored and listed in `gaps`.
 */
export class StoreSink implements Sink {
  private inFlight: Promise<AppendResult>[] = [];
  readonly gaps: Extract<AppendResult, { status: 'gap' }>[] = [];

  constructor(
    readonly store: RunStore,
    private readonly options: StoreSinkOptions = {},
  ) {}

  /** A sink over a store of its own, closed with the sink. */
  static async open(dir: string, options: RunStoreOptions = {}): Promise<StoreSink> {
    return new StoreSink(await RunStore.open(dir, options), { ownsStore: true });
  }

  write(envelope: Envelope): void | Promise<void> {
    const pending = this.store.append(envelope);
    pending.catch(() => undefined); // seen by the next drain; this branch only keeps it from counting as unhandled
    this.inFlight.push(pending);
    if (this.inFlight.length >= (this.options.maxInFlight ?? 4096)) return this.drain();
  }

  async flush(): Promise<void> {
    await this.drain();
    await this.store.sync();
  }

  async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      if (this.options.ownsStore) await this.store.close();
    }
  }

  private async drain(): Promise<void> {
    const pending = this.inFlight;
    this.inFlight = [];
    const results = await Promise.all(pending);
    for (const result of results) {
      if (result.status === 'gap') this.gaps.push(result);
      else if (result.status === 'invalid') throw result.error;
      else if (result.status === 'duplicate') {
        const { runId, seq, lastSeq } = result;
        throw new StoreError('duplicate', `seq ${seq} refused: the run already has records up to seq ${lastSeq}`, { runId, file: logFile(runId) });
      }
    }
  }
}
