import type { Envelope } from '../schema/index.js';
import type { Sink, Source } from './types.js';

/**
 * In-process fan-out: a Sink whose envelopes reach every live subscriber. Each subscriber is a Source with its
 * own unbounded queue, so a slow consumer never blocks the producer; it ends when the fan-out is closed.
 */
export class FanOut implements Sink {
  private readonly subscribers = new Set<Subscription>();
  private closed = false;

  write(envelope: Envelope): void {
    if (this.closed) throw new Error('FanOut: write after close');
    for (const s of this.subscribers) s.push(envelope);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.subscribers) s.end();
    this.subscribers.clear();
  }

  /** A Source of every envelope written from now on. */
  subscribe(): Source & { unsubscribe(): void } {
    const sub = new Subscription(() => this.subscribers.delete(sub));
    if (this.closed) sub.end();
    else this.subscribers.add(sub);
    return sub;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}

class Subscription implements AsyncIterable<Envelope> {
  /**
   * Read from `head` on: Array.shift moves every element of a long array, which made a consumer with a backlog of
   * tens of thousands of records quadratic (a fifth of the bridge's time under load).
   */
  private queue: Array<Envelope | undefined> = [];
  private head = 0;
  private waiting: ((r: IteratorResult<Envelope>) => void) | undefined;
  private ended = false;

  constructor(private readonly detach: () => void) {}

  push(e: Envelope): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: e, done: false });
    } else this.queue.push(e);
  }

  private take(): Envelope | undefined {
    if (this.head === this.queue.length) return undefined;
    const e = this.queue[this.head];
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  end(): void {
    this.ended = true;
    if (this.waiting) this.waiting({ value: undefined, done: true });
    this.waiting = undefined;
  }

  unsubscribe(): void {
    this.detach();
    this.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<Envelope> {
    return {
      next: () => {
        const e = this.take();
        if (e !== undefined) return Promise.resolve({ value: e, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      return: () => {
        this.unsubscribe();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/** A Sink that keeps every envelope in memory (tests, small runs, building a DeepOBS result in process). */
export class MemorySink implements Sink {
  readonly envelopes: Envelope[] = [];
  write(envelope: Envelope): void {
    this.envelopes.push(envelope);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Writes every envelope to several sinks in order. */
export class TeeSink implements Sink {
  constructor(private readonly sinks: Sink[]) {}
  async write(envelope: Envelope): Promise<void> {
    for (const s of this.sinks) await s.write(envelope);
  }
  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush()));
  }
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}

/** Replays a list of envelopes as a Source. */
export async function* fromArray(envelopes: Iterable<Envelope>): Source {
  yield* envelopes;
}
