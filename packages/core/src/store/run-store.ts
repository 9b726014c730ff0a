import * as fs from 'node:fs';
import { join } from 'node:path';
import { decodeEnvelope } from '../codec/codec.js';
import { EnvelopeError } from '../codec/errors.js';
import { DEFAULT_LIMITS, type CodecLimits } from '../codec/limits.js';
import { validateEnvelope } from '../codec/validate.js';
import { readFrameFile } from '../framing/index.js';
import { RunStatus, SCHEMA_VERSION, schema, type Envelope } from '../schema/index.js';
import type { Source } from '../stream/types.js';
import { applyRecord, expectedSeq, newEntry, type RunEntry } from './entry.js';
import { StoreError } from './errors.js';
import { writeIndex } from './index-file.js';
import { RUNS_DIR, logFile, type FsyncPolicy } from './layout.js';
import { loadRuns } from './load.js';
import { acquireLock } from './lock.js';
import type { RecoveryCut } from './recover.js';
import { RunLog, type StoreStats } from './run-log.js';

export interface RunStoreOptions {
  /** Default `always`. */
  fsync?: FsyncPolicy;
  /** How often the `interval` policy syncs, in milliseconds. Default 1000. */
  fsyncIntervalMs?: number;
  /** Validation limits for appended and stored envelopes. */
  limits?: CodecLimits;
  /** Where recovery and index messages go. Default console.warn. */
  log?: (message: string) => void;
}

/** What became of one appended envelope. Only `appended` and `gap` were stored. */
export type AppendResult =
  | { status: 'appended'; runId: string; seq: number }
  /** Stored, but the sequence jumped: `expected` is the seq that should have come. */
  | { status: 'gap'; runId: string; seq: number; expected: number }
  /** Not stored: a record with this seq or a later one is already in the log (a resend). */
  | { status: 'duplicate'; runId: string; seq: number; lastSeq: number }
  /** Not stored: the envelope fails validation. */
  | { status: 'invalid'; error: EnvelopeError };

/**
 * An envelope together with its encoding, e.g. a frame as received and decoded with `decodeEnvelope` (which
 * validated it). The bytes are stored as given, so they must not change until the append resolves.
 */
export interface EncodedEnvelope {
  envelope: Envelope;
  bytes: Uint8Array;
}

interface Queued {
  result: AppendResult;
  written?: Promise<void>;
}

/**
 * The embedded run store: a folder with one append-only log of framed envelopes per run (`runs/<runId>.fdlog`,
 * see framing/) and an index of runs (`index.json`, a cache the logs can always rebuild). It is the system of
 * record: everything else can be rebuilt from it. One process at a time has a store open (`LOCK`).
 *
 * Durability (the `fsync` option). Appends are batched: everything appended while the previous batch is being
 * written goes out as one write per run, so many small appends cost one write and one fsync (group commit).
 * - `always` (default): an append's promise resolves only after its record was written and fdatasync'ed (and, for
 *   a new run, its directory entry fsync'ed). An acknowledged record survives a process crash, a kernel crash and
 *   a power cut (on a disk that honours flushes).
 * - `interval`: resolves once written to the OS; the logs are fdatasync'ed every `fsyncIntervalMs`. A process
 *   crash loses nothing acknowledged; a kernel crash or power cut loses at most the last interval.
 * - `never`: resolves once written to the OS; syncs only on `sync()`. A process crash loses nothing acknowledged.
 * `sync()` forces everything appended so far to disk under any policy.
 *
 * Crash recovery. A crash can cut the last write in half. On open, every log whose size or modification time is
 * not the one the index saved is read through: the index entry is rebuilt from its records, and a torn or corrupt
 * tail (a frame that is incomplete, or whose CRC32 does not match) is cut off, so the log ends with its last
 * complete record; every complete record before it is kept. The cut bytes are copied to
 * `runs/<runId>.fdlog.cut-<offset>` and reported in `recovery` and through `log`, naming run, file and offset.
 *
 * Sequence numbers. A record whose seq is not above the run's last stored seq is a duplicate (a producer's resend)
 * and is not written again; a record that skips seqs is stored and reported as a gap.
 */
export class RunStore {
  private readonly logs = new Map<string, RunLog>();
  private readonly queued = new Set<RunLog>();
  private flushing: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly limits: CodecLimits;
  private readonly policy: FsyncPolicy;
  private readonly log: (message: string) => void;
  private readonly counters: StoreStats = { records: 0, writes: 0, fsyncs: 0 };

  private constructor(
    readonly dir: string,
    entries: RunEntry[],
    /** What recovery cut off damaged logs when the store was opened. */
    readonly recovery: readonly RecoveryCut[],
    options: RunStoreOptions,
    private readonly unlock: () => void,
  ) {
    this.policy = options.fsync ?? 'always';
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.log = options.log ?? ((message) => console.warn(message));
    for (const entry of entries) this.logs.set(entry.runId, new RunLog(dir, entry, this.policy, this.counters, false));
    if (this.policy === 'interval') {
      this.timer = setInterval(() => void this.syncInBackground(), options.fsyncIntervalMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Opens (or creates) the store in `dir`, recovering every log a crash may have left damaged. */
  static async open(dir: string, options: RunStoreOptions = {}): Promise<RunStore> {
    fs.mkdirSync(join(dir, RUNS_DIR), { recursive: true });
    const unlock = acquireLock(dir);
    try {
      const durable = options.fsync !== 'never';
      const { entries, cuts } = await loadRuns(dir, {
        limits: options.limits ?? DEFAULT_LIMITS,
        durable,
        log: options.log ?? ((message) => console.warn(message)),
      });
      await writeIndex(dir, entries, durable);
      return new RunStore(dir, entries, cuts, options, unlock);
    } catch (e) {
      unlock();
      throw e;
    }
  }

  /**
   * Appends one envelope to its run's log. Resolves when the record is as durable as the policy promises;
   * rejects with a StoreError only when it could not be written (the run's log hit an I/O error, or the store is
   * closed). Invalid envelopes and duplicates resolve at once with a result saying so.
   */
  append(envelope: Envelope): Promise<AppendResult> {
    try {
      const { result, written } = this.enqueue(envelope);
      return written ? written.then(() => result) : Promise.resolve(result);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * `append` for an envelope that was already validated and encoded (a frame a server received and decoded): the
   * given bytes are framed as they are, without validating or encoding the envelope again. Sequence handling
   * (duplicates, gaps) and the index are the same as `append`'s.
   */
  appendEncoded(envelope: Envelope, bytes: Uint8Array): Promise<AppendResult> {
    return this.appendManyEncoded([{ envelope, bytes }]).then(([result]) => result);
  }

  /** Appends several envelopes in one batch; rejects if any of them could not be written (others may have been). */
  appendMany(envelopes: Iterable<Envelope>): Promise<AppendResult[]> {
    return this.appendBatch(envelopes, (envelope) => this.enqueue(envelope));
  }

  /** `appendMany` for already validated and encoded envelopes (see `appendEncoded`). */
  appendManyEncoded(records: Iterable<EncodedEnvelope>): Promise<AppendResult[]> {
    return this.appendBatch(records, ({ envelope, bytes }) => this.enqueue(envelope, bytes));
  }

  private async appendBatch<T>(items: Iterable<T>, enqueue: (item: T) => Queued): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    const batches = new Set<Promise<void>>();
    for (const item of items) {
      const { result, written } = enqueue(item);
      results.push(result);
      if (written) batches.add(written);
    }
    await Promise.all(batches);
    return results;
  }

  /** The highest seq stored (or queued) for a run; undefined for a run without records. */
  lastSeq(runId: string): number | undefined {
    return this.logs.get(runId)?.entry.lastSeq;
  }

  /** The index entry of one run (a copy). */
  run(runId: string): RunEntry | undefined {
    const log = this.logs.get(runId);
    return log && { ...log.entry };
  }

  /** Every run's index entry (copies), by run id. */
  runs(): RunEntry[] {
    return [...this.logs.keys()].sort().map((runId) => this.run(runId)!);
  }

  /**
   * Replays a run from disk as envelopes, in the order stored, reading the log in chunks. It covers what was
   * written when the iteration started. A record that does not decode or a damaged frame (bit rot since the store
   * was opened) ends the iteration with a StoreError naming the run, the file and the offset.
   */
  read(runId: string): Source {
    const log = this.logs.get(runId);
    if (!log) throw new StoreError('unknown_run', 'no such run in the store', { runId, file: logFile(runId) });
    return this.replay(log);
  }

  /**
   * Records that a run ended without saying so (its producer vanished): appends a RunFinished record with status
   * INTERRUPTED and `reason` as its message, with the run's next seq. A producer that comes back must continue
   * after that seq. Does nothing (resolves undefined) for a run that is not active.
   */
  async markInterrupted(runId: string, reason: string): Promise<AppendResult | undefined> {
    const log = this.logs.get(runId);
    if (!log) throw new StoreError('unknown_run', 'cannot mark a run interrupted that has no log', { runId, file: logFile(runId) });
    if (log.entry.status !== 'active') return undefined;
    const { lastStep, lastEpoch } = log.entry;
    return this.append({
      schemaVersion: SCHEMA_VERSION,
      runId,
      seq: expectedSeq(log.entry),
      timeUnixUs: Date.now() * 1000,
      runFinished: { status: RunStatus.INTERRUPTED, message: reason, lastStep: lastStep ?? 0, lastEpoch: lastEpoch ?? 0 },
    });
  }

  /** Records accepted, write calls and fsyncs since the store was opened. */
  stats(): StoreStats {
    return { ...this.counters };
  }

  /** Writes and fdatasyncs everything appended so far, whatever the policy. */
  async sync(): Promise<void> {
    await this.idle();
    await Promise.all([...this.logs.values()].filter((log) => log.needsSync).map((log) => log.sync()));
  }

  /** Writes what is queued, syncs (unless the policy is `never`), saves the index and releases the lock. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.idle();
      const failures: unknown[] = [];
      for (const log of this.logs.values()) await log.release().catch((e) => failures.push(e));
      await writeIndex(this.dir, [...this.logs.values()].map((log) => log.entry), this.policy !== 'never');
      if (failures.length) throw failures[0];
    } finally {
      this.unlock();
    }
  }

  /** Queues one envelope; `encoded` (its bytes, from a caller that validated it) skips validation and encoding. */
  private enqueue(envelope: Envelope, encoded?: Uint8Array): Queued {
    if (this.closing) throw new StoreError('closed', 'append after close', { runId: envelope.runId ?? undefined, file: this.dir });
    const problem = encoded ? undefined : validateEnvelope(envelope, this.limits);
    if (problem) return { result: { status: 'invalid', error: problem } };
    const runId = envelope.runId!;
    const seq = Number(envelope.seq);
    const existing = this.logs.get(runId);
    if (existing?.broken) throw existing.broken;
    const lastSeq = existing?.entry.lastSeq;
    if (lastSeq !== undefined && seq <= lastSeq) return { result: { status: 'duplicate', runId, seq, lastSeq } };
    const payload = encoded ?? schema.Envelope.encode(envelope).finish();
    if (payload.length > this.limits.maxEnvelopeBytes) {
      const error = new EnvelopeError('oversize', '', `${payload.length} bytes, limit ${this.limits.maxEnvelopeBytes}`, runId, seq);
      return { result: { status: 'invalid', error } };
    }
    const log = existing ?? this.createLog(runId);
    const expected = expectedSeq(log.entry);
    applyRecord(log.entry, envelope);
    this.counters.records++;
    const written = log.enqueue(payload);
    this.queued.add(log);
    this.scheduleFlush();
    const result: AppendResult = seq === expected ? { status: 'appended', runId, seq } : { status: 'gap', runId, seq, expected };
    return { result, written };
  }

  private createLog(runId: string): RunLog {
    const log = new RunLog(this.dir, newEntry(runId, logFile(runId)), this.policy, this.counters, true);
    this.logs.set(runId, log);
    return log;
  }

  /** Starts a flush after the current burst of appends (setImmediate lets a burst of I/O callbacks join in). */
  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flushQueued())
      .finally(() => {
        this.flushing = undefined;
        if (this.queued.size) this.scheduleFlush();
      });
  }

  /** One batch after another until nothing is queued; appends made during a batch's I/O form the next one. */
  private async flushQueued(): Promise<void> {
    while (this.queued.size) {
      const logs = [...this.queued];
      this.queued.clear();
      await Promise.all(logs.map((log) => log.writeQueued()));
    }
  }

  private async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async syncInBackground(): Promise<void> {
    for (const log of this.logs.values()) {
      if (log.needsSync) await log.sync().catch((e: Error) => this.log(`run store: ${e.message}`));
    }
  }

  private async *replay(log: RunLog): AsyncGenerator<Envelope> {
    const { runId, file } = log.entry;
    const reader = readFrameFile(join(this.dir, file), { end: log.entry.bytes, maxPayloadBytes: this.limits.maxEnvelopeBytes });
    try {
      for await (const frame of reader) {
        const decoded = decodeEnvelope(frame.payload, this.limits);
        if (!decoded.ok) throw new StoreError('corrupt', `the record does not decode: ${decoded.error.message}`, { runId, file, offset: frame.offset });
        yield decoded.envelope;
      }
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError('io', `cannot read the log: ${(e as Error).message}`, { runId, file }, { cause: e });
    }
    const fault = reader.tail?.fault;
    if (fault) throw new StoreError('corrupt', `the log is damaged: ${fault.reason}, ${fault.detail}`, { runId, file, offset: reader.tail!.goodEnd });
  }
}
