import type { Envelope, FanOut, RunStore, Sink } from '@flightdeck/core';

/**
 * An in-process producer's way into the bridge's pipeline: each envelope is appended to the run store and, once
 * durable, written to the live fan-out, in order. Appends are group-committed in the background; `write` waits
 * only when `maxInFlight` are pending, so a training loop is not held up by the disk.
 */
export class StoreFanOutSink implements Sink {
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private failure: Error | undefined;

  constructor(
    private readonly store: RunStore,
    private readonly live: FanOut,
    private readonly maxInFlight = 4096,
  ) {}

  async write(envelope: Envelope): Promise<void> {
    if (this.failure) throw this.failure;
    const appended = this.store.append(envelope);
    this.inFlight++;
    this.tail = this.tail.then(async () => {
      try {
        const result = await appended;
        if (result.status === 'invalid') throw result.error;
        if (result.status === 'duplicate') throw new Error(`run ${envelope.runId}: seq ${envelope.seq} is already in the store`);
        this.live.write(envelope);
      } catch (e) {
        this.failure ??= e as Error;
      } finally {
        this.inFlight--;
      }
    });
    if (this.inFlight >= this.maxInFlight) await this.flush();
  }

  async flush(): Promise<void> {
    await this.tail;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
