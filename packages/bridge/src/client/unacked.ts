/** One encoded envelope waiting for its acknowledgement. */
export interface Pending {
  runId: string;
  seq: number;
  frame: Uint8Array;
}

/**
 * The client's unacknowledged records, per run in seq order. Acks are cumulative per run, so freeing is a walk
 * from the front of that run's queue.
 */
export class UnackedBuffer {
  private readonly runs = new Map<string, Pending[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(p: Pending): void {
    let queue = this.runs.get(p.runId);
    if (!queue) this.runs.set(p.runId, (queue = []));
    queue.push(p);
    this.count++;
  }

  /** Frees every record of `runId` with seq <= `seq`; returns how many. */
  ack(runId: string, seq: number): number {
    const queue = this.runs.get(runId);
    if (!queue) return 0;
    let n = 0;
    while (n < queue.length && queue[n].seq <= seq) n++;
    if (n === 0) return 0;
    queue.splice(0, n);
    if (queue.length === 0) this.runs.delete(runId);
    this.count -= n;
    return n;
  }

  /** Drops one refused record. */
  remove(runId: string, seq: number): boolean {
    const queue = this.runs.get(runId);
    const i = queue?.findIndex((p) => p.seq === seq) ?? -1;
    if (!queue || i < 0) return false;
    queue.splice(i, 1);
    if (queue.length === 0) this.runs.delete(runId);
    this.count--;
    return true;
  }

  /** Everything still unacknowledged, each run in seq order. */
  all(): Pending[] {
    return [...this.runs.values()].flat();
  }
}
