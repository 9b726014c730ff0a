import type { EncodedEnvelope } from '@flightdeck/core';

/** What the sequencer decided for one envelope. */
export type Offer = 'next' | 'duplicate' | 'held';

/** A hole in a run's sequence that was given up on: seqs `from`..`to` (inclusive) never arrived. */
export interface Gap {
  runId: string;
  from: number;
  to: number;
}

/**
 * Puts one run's envelopes back into sequence order. After a reconnect a client's socket may still deliver
 * records that were queued before the server went away, ahead of the resends that fill the hole; holding
 * out-of-order records for a while lets the resends arrive, so the log stays in order. A hole that stays open
 * longer than the gap timeout (the producer dropped records) is accepted and reported.
 */
export class RunSequencer {
  private readonly held = new Map<number, EncodedEnvelope>();
  private heldSince = 0;

  /** @param last the highest seq already stored for this run, -1 for a new run. */
  constructor(
    readonly runId: string,
    private last: number,
  ) {}

  /** Highest seq handed out for storage. */
  get lastSeq(): number {
    return this.last;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /**
   * Classifies one envelope. A 'next' one goes to `ready`, followed by any held ones it unblocks, in seq order;
   * a 'held' one waits for the seqs before it.
   */
  offer(record: EncodedEnvelope, now: number, ready: EncodedEnvelope[]): Offer {
    const seq = Number(record.envelope.seq);
    if (seq <= this.last || this.held.has(seq)) return 'duplicate';
    if (seq === this.last + 1) {
      // The usual case: in order. Only records after a hole ever go through the map.
      this.last = seq;
      ready.push(record);
      if (this.held.size) this.drain(ready);
      return 'next';
    }
    if (this.held.size === 0) this.heldSince = now;
    this.held.set(seq, record);
    return 'held';
  }

  /** Takes every held envelope that is now contiguous with what was stored. */
  private drain(out: EncodedEnvelope[]): void {
    for (let e = this.held.get(this.last + 1); e !== undefined; e = this.held.get(this.last + 1)) {
      this.held.delete(this.last + 1);
      this.last += 1;
      out.push(e);
    }
  }

  /**
   * Gives up on the hole before the held records when they have waited longer than `timeoutMs` (or when more than
   * `maxHeld` pile up): returns the gap and moves the held records out in order.
   */
  releaseStale(now: number, timeoutMs: number, maxHeld: number, out: EncodedEnvelope[]): Gap | undefined {
    if (this.held.size === 0 || (now - this.heldSince < timeoutMs && this.held.size <= maxHeld)) return undefined;
    let next = Infinity;
    for (const seq of this.held.keys()) next = Math.min(next, seq);
    const gap = { runId: this.runId, from: this.last + 1, to: next - 1 };
    this.last = next - 1;
    this.drain(out);
    this.heldSince = now;
    return gap;
  }
}
