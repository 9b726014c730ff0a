import { randomBytes } from 'node:crypto';
import * as zmq from 'zeromq';
import {
  DEFAULT_LIMITS,
  EnvelopeError,
  FanOut,
  RunStatus,
  SCHEMA_VERSION,
  type RunStore,
  decodeEnvelope,
  encodeEnvelope,
  encodeServerMessage,
  type CodecLimits,
  type EncodedEnvelope,
  type Envelope,
  type Source,
} from '@flightdeck/core';
import { checkBindAddress } from './address.js';
import { checkCurveKey, type CurveServerConfig } from './curve.js';
import { MAX_PACKED_BYTES, isPacked, unpack } from './packed.js';
import { RunSequencer, type Gap } from './sequencer.js';
import { emptySenderStats, type IngestStats, type RunIngestStats, type SenderStats } from './stats.js';
import { zapAuthenticator } from './zap.js';

/**
 * What the ingest needs from the run store: durable batch appends of envelopes with the bytes they arrived as (group
 * commit; the store frames those bytes instead of encoding again), the last stored seq per run, the runs.
 */
export type IngestStore = Pick<RunStore, 'appendManyEncoded' | 'lastSeq' | 'runs'>;

export interface IngestOptions {
  /** ZeroMQ endpoint to bind; default tcp://127.0.0.1:5555. Port 0 picks a free port (see `address`). */
  bind?: string;
  /** Required to bind anything but loopback, together with `curve`. */
  public?: boolean;
  /** CurveZMQ: the server's key pair and the client public keys that may send. */
  curve?: CurveServerConfig;
  /** A run that sends nothing for this long without a RunFinished is marked interrupted. Default 60 s. */
  silenceMs?: number;
  /** How long out-of-order records wait for the missing seqs before the hole is accepted as a gap. Default 5 s. */
  gapTimeoutMs?: number;
  /** Most out-of-order records held per run before the hole is accepted early. */
  maxHeldPerRun?: number;
  /** Receiving pauses while this many envelopes wait for the store (ZeroMQ's queues then push back on clients). */
  maxPending?: number;
  limits?: CodecLimits;
  /** The live fan-out to write stored envelopes to; default one of the server's own, closed with it. */
  fanOut?: FanOut;
  /** Where refusals, gaps and interruptions are logged; default stderr. */
  log?: (line: string) => void;
}

/** An accepted envelope waiting for the store, or (without one) a duplicate that only needs its ack again. */
interface Received {
  sender: string;
  routingId: Buffer;
  runId: string;
  record?: EncodedEnvelope;
}

/** Who sent the message being accepted, and when it arrived. */
interface Origin {
  routingId: Buffer;
  sender: string;
  now: number;
}

const DEFAULT_BIND = 'tcp://127.0.0.1:5555';
/** How the bridge's own interruption marks begin their message: a mark stored by an earlier server is known by it. */
const MARK_PREFIX = 'bridge: ';
const RECEIVE_SLICE_MS = 5;

/**
 * The bridge's ZeroMQ ingest. Trainers connect DEALER sockets and send frames that each hold one encoded
 * Envelope or a packed batch of them (see packed.ts). Accepted envelopes are put in per-run order, written to the store in group commits, then
 * acknowledged (cumulatively per run) and fanned out to live subscribers; a frame that cannot be accepted is
 * answered with a Reject and counted against its sender. The ingest is a Source (`subscribe`) plus `stats`.
 */
export class IngestServer {
  private readonly router: zmq.Router;
  private readonly fanOut: FanOut;
  private readonly ownsFanOut: boolean;
  private readonly sequencers = new Map<string, RunSequencer>();
  private readonly runStats = new Map<string, RunIngestStats>();
  private readonly lastHeard = new Map<string, number>();
  /** runId → the seq the bridge's interruption mark took (until the run's producer sends past it). */
  private readonly marks = new Map<string, number>();
  private readonly senders = new Map<string, SenderStats>();
  private pending: Received[] = [];
  private committing: Promise<void> | undefined;
  private readonly outbox: Array<[Buffer, Uint8Array]> = [];
  /** Scratch list for what a sequencer releases, reused for every frame. */
  private readonly ready: EncodedEnvelope[] = [];
  private sending = false;
  private counters = { accepted: 0, duplicates: 0, rejected: 0, commits: 0 };
  private receiving: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unregisterZap: (() => Promise<void>) | undefined;
  private closed = false;
  private failure: Error | undefined;
  private readonly options: Required<Omit<IngestOptions, 'curve' | 'bind' | 'public' | 'fanOut'>>;

  private constructor(
    private readonly store: IngestStore,
    router: zmq.Router,
    readonly address: string,
    options: IngestOptions,
  ) {
    this.router = router;
    this.fanOut = options.fanOut ?? new FanOut();
    this.ownsFanOut = options.fanOut === undefined;
    this.options = {
      silenceMs: options.silenceMs ?? 60_000,
      gapTimeoutMs: options.gapTimeoutMs ?? 5_000,
      maxHeldPerRun: options.maxHeldPerRun ?? 100_000,
      maxPending: options.maxPending ?? 50_000,
      limits: options.limits ?? DEFAULT_LIMITS,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    };
  }

  /** Binds and starts receiving. Refuses non-loopback addresses unless `public` and `curve` are both given. */
  static async start(store: IngestStore, options: IngestOptions = {}): Promise<IngestServer> {
    const bind = options.bind ?? DEFAULT_BIND;
    checkBindAddress(bind, options.public ?? false, options.curve !== undefined);
    const maxBytes = (options.limits ?? DEFAULT_LIMITS).maxEnvelopeBytes;
    const router = new zmq.Router({
      linger: 0,
      handover: true,
      receiveHighWaterMark: 10_000,
      // A frame larger than this closes the sender's connection in libzmq itself, before it costs memory.
      maxMessageSize: Math.max(maxBytes, MAX_PACKED_BYTES) + 1024,
    });
    let unregister: (() => Promise<void>) | undefined;
    let server: IngestServer | undefined;
    if (options.curve) {
      const { publicKey, secretKey, allowedClientKeys } = options.curve;
      checkCurveKey(publicKey, 'server public key');
      checkCurveKey(secretKey, 'server secret key');
      allowedClientKeys.forEach((k, i) => checkCurveKey(k, `allowed client key ${i + 1}`));
      const domain = `flightdeck-${randomBytes(6).toString('hex')}`;
      unregister = await zapAuthenticator.register(domain, allowedClientKeys, (key, address) =>
        server?.options.log(`ingest: refused a CURVE client with key ${key} from ${address || 'unknown address'}: not an allowed key`),
      );
      router.curveServer = true;
      router.curvePublicKey = publicKey;
      router.curveSecretKey = secretKey;
      router.zapDomain = domain;
    }
    try {
      await router.bind(bind);
    } catch (e) {
      router.close();
      await unregister?.();
      throw new Error(`ingest: cannot bind ${bind}: ${(e as Error).message}`);
    }
    server = new IngestServer(store, router, router.lastEndpoint ?? bind, options);
    server.unregisterZap = unregister;
    server.watchActiveRuns();
    server.receiving = server.receiveLoop();
    server.timer = setInterval(() => void server!.tick(), 100);
    return server;
  }

  /** A live Source of every envelope from now on, in stored order, after it was stored. */
  subscribe(): Source & { unsubscribe(): void } {
    return this.fanOut.subscribe();
  }

  /** The fan-out itself, for consumers that take one (the dashboard). */
  get live(): FanOut {
    return this.fanOut;
  }

  stats(): IngestStats {
    const runs: Record<string, RunIngestStats> = {};
    for (const [runId, s] of this.runStats) runs[runId] = { ...s, held: this.sequencers.get(runId)?.heldCount ?? 0, gaps: [...s.gaps] };
    const senders: Record<string, SenderStats> = {};
    for (const [id, s] of this.senders) senders[id] = { ...s, rejected: { ...s.rejected } };
    return { ...this.counters, senders, runs };
  }

  /** Resolves once everything received so far is stored and acknowledged. */
  async drain(): Promise<void> {
    while (this.committing) await this.committing;
  }

  /** Stops receiving, stores what was accepted, ends live subscriptions. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.router.close();
    await this.receiving;
    await this.drain();
    await this.unregisterZap?.();
    if (this.ownsFanOut) await this.fanOut.close();
    if (this.failure) throw this.failure;
  }

  /** Runs left active by an earlier server (or a crash) are watched for silence like live ones. */
  private watchActiveRuns(): void {
    const now = Date.now();
    for (const entry of this.store.runs()) {
      if (entry.status === 'interrupted' && entry.message?.startsWith(MARK_PREFIX) && entry.lastSeq !== undefined) this.marks.set(entry.runId, entry.lastSeq);
      if (entry.status !== 'active') continue;
      this.lastHeard.set(entry.runId, now);
      const s = this.runStat(entry.runId);
      s.lastSeq = entry.lastSeq ?? -1;
      this.lastStep.set(entry.runId, { step: entry.lastStep ?? 0, epoch: entry.lastEpoch ?? 0 });
    }
  }

  /**
   * zeromq resolves up to 512 receives in a row without giving the event loop a turn; with many busy senders that
   * held back the group commit's file writes (it waits for the loop) until thousands of records had piled up. So
   * the loop yields once it has been busy for RECEIVE_SLICE_MS.
   */
  private async receiveLoop(): Promise<void> {
    try {
      let sliceStart = performance.now();
      while (!this.closed) {
        const before = performance.now();
        const [routingId, ...frames] = await this.router.receive();
        const now = performance.now();
        if (now - before > 1) sliceStart = now; // the receive waited: the loop had its turn
        this.accept(routingId, frames);
        if (this.pending.length >= this.options.maxPending) await this.committing;
        else if (performance.now() - sliceStart > RECEIVE_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
    } catch (e) {
      if (!this.closed) this.fail(e as Error);
    }
  }

  /** Everything one read brought (one message, any number of frames, packed or not): sequenced, queued, then one commit started. */
  private accept(routingId: Buffer, frames: Buffer[]): void {
    const from: Origin = { routingId, sender: senderName(routingId), now: Date.now() };
    for (const frame of frames) {
      if (!isPacked(frame)) {
        this.acceptEnvelope(from, frame);
        continue;
      }
      const problem = unpack(frame, (payload) => this.acceptEnvelope(from, payload));
      if (problem) this.refuse(routingId, from.sender, new EnvelopeError('malformed', '', problem));
    }
    this.startCommit();
  }

  /** Decodes one envelope and puts it in its run's order (or answers why not). */
  private acceptEnvelope(from: Origin, bytes: Buffer): void {
    const decoded = decodeEnvelope(bytes, this.options.limits);
    if (!decoded.ok) {
      this.refuse(from.routingId, from.sender, decoded.error);
      return;
    }
    const envelope = decoded.envelope;
    const runId = envelope.runId!;
    const sequencer = this.sequencer(runId);
    this.lastHeard.set(runId, from.now);
    // These bytes are the envelope's encoding: the store frames them rather than encoding the envelope again.
    const ready = this.ready;
    const offer = sequencer.offer({ envelope, bytes }, from.now, ready);
    const senderStats = this.senderStats(from.sender);
    if (offer === 'duplicate' && this.marks.get(runId) === Number(envelope.seq)) {
      this.refuseMarkedSeq(from, envelope);
      return;
    }
    if (offer === 'duplicate') {
      this.counters.duplicates++;
      senderStats.duplicates++;
      this.runStat(runId).duplicates++;
      // Acknowledge again so that a client that missed the ack frees its buffer.
      this.pending.push({ sender: from.sender, routingId: from.routingId, runId });
      return;
    }
    senderStats.accepted++;
    for (const record of ready) this.pending.push({ sender: from.sender, routingId: from.routingId, runId, record });
    ready.length = 0;
  }

  /**
   * Starts a group commit unless one is running; one that ends with more pending starts the next. `committing` is
   * cleared only in a later microtask than the one that set it: a batch of duplicates alone needs no store write,
   * so `commit` can finish without ever waiting, and clearing it inside would leave the promise set for good.
   */
  private startCommit(): void {
    if (this.committing || this.pending.length === 0 || this.failure) return;
    this.committing = this.commit().finally(() => {
      this.committing = undefined;
      this.startCommit();
    });
  }

  /** Group commit: everything that arrived while the previous batch was being synced goes in one append. */
  private async commit(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending;
        this.pending = [];
        const fresh: EncodedEnvelope[] = [];
        for (const r of batch) if (r.record) fresh.push(r.record);
        if (fresh.length) {
          await this.store.appendManyEncoded(fresh);
          this.counters.commits++;
        }
        for (const r of fresh) this.stored(r.envelope);
        this.acknowledge(batch);
        for (const r of fresh) this.fanOut.write(r.envelope);
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private readonly storedSeqs = new Map<string, number>();

  private storedSeq(runId: string): number {
    return this.storedSeqs.get(runId) ?? this.store.lastSeq(runId) ?? -1;
  }

  private stored(envelope: Envelope): void {
    const runId = envelope.runId!;
    const mark = this.marks.get(runId);
    if (mark !== undefined && Number(envelope.seq) > mark) {
      // The producer came back after its run was marked interrupted: watch it for silence again.
      this.marks.delete(runId);
      this.runStat(runId).interrupted = false;
    }
    this.storedSeqs.set(runId, Number(envelope.seq));
    this.counters.accepted++;
    const s = this.runStat(runId);
    s.accepted++;
    s.lastSeq = Number(envelope.seq);
    if (envelope.runFinished) s.finished = true;
    if (envelope.step) this.lastStep.set(runId, { step: Number(envelope.step.step ?? 0), epoch: envelope.step.epoch ?? 0 });
  }

  private readonly lastStep = new Map<string, { step: number; epoch: number }>();

  /** One cumulative Ack per (sender, run) of the batch: the run's highest stored seq. */
  private acknowledge(batch: Received[]): void {
    // sender → run → the last record received: nested maps, so no key string is built per record.
    const seen = new Map<string, Map<string, Received>>();
    for (const r of batch) {
      if (!r.routingId.length) continue;
      let runs = seen.get(r.sender);
      if (!runs) seen.set(r.sender, (runs = new Map()));
      runs.set(r.runId, r);
    }
    for (const runs of seen.values()) {
      for (const r of runs.values()) {
        const seq = this.storedSeq(r.runId);
        if (seq >= 0) this.send(r.routingId, encodeServerMessage({ ack: { runId: r.runId, seq } }));
      }
    }
  }

  private refuse(routingId: Buffer, sender: string, error: EnvelopeError): void {
    this.counters.rejected++;
    const s = this.senderStats(sender);
    s.rejected[error.code] = (s.rejected[error.code] ?? 0) + 1;
    s.lastError = error.message;
    // A broken client can send thousands of bad frames: the first ones are logged in full, later ones sampled.
    const n = Object.values(s.rejected).reduce((x, y) => x + (y ?? 0), 0);
    if (n <= 10 || n % 1000 === 0) this.options.log(`ingest: rejected a frame from sender ${sender} (${n} so far): ${error.message}`);
    const reject = { runId: error.runId ?? '', code: error.code, message: error.message, ...(error.seq !== undefined ? { seq: error.seq } : {}) };
    this.send(routingId, encodeServerMessage({ reject }));
  }

  /**
   * The producer of a run the bridge marked interrupted came back with the seq the mark took. Acknowledging it as a
   * duplicate would tell the producer it was stored; it is refused instead, saying why (the records after it are
   * stored as usual).
   */
  private refuseMarkedSeq(from: Origin, envelope: Envelope): void {
    const runId = envelope.runId!;
    const seq = Number(envelope.seq);
    const why = `the run was marked interrupted after a silence and the mark took seq ${seq}; this record could not be stored (the records after it are). Send heartbeats during pauses longer than the bridge's silence limit (${Math.round(this.options.silenceMs / 1000)} s)`;
    this.refuse(from.routingId, from.sender, new EnvelopeError('invalid', 'seq', why, runId, seq));
  }

  /** ROUTER sends never block (an unreachable peer's message is dropped), but zeromq allows one send at a time. */
  private send(routingId: Buffer, message: Uint8Array): void {
    this.outbox.push([routingId, message]);
    if (!this.sending) void this.flushOutbox();
  }

  private async flushOutbox(): Promise<void> {
    this.sending = true;
    try {
      for (let next = this.outbox.shift(); next && !this.closed; next = this.outbox.shift()) await this.router.send(next);
    } catch (e) {
      if (!this.closed) this.options.log(`ingest: could not send a reply: ${(e as Error).message}`);
    } finally {
      this.outbox.length = 0;
      this.sending = false;
    }
  }

  /** Periodic work: accept gaps that timed out, mark silent runs interrupted. */
  private async tick(): Promise<void> {
    const now = Date.now();
    for (const sequencer of this.sequencers.values()) {
      const released: EncodedEnvelope[] = [];
      const gap = sequencer.releaseStale(now, this.options.gapTimeoutMs, this.options.maxHeldPerRun, released);
      if (!gap) continue;
      this.reportGap(gap);
      for (const record of released) this.pending.push({ sender: '(held)', routingId: Buffer.alloc(0), runId: gap.runId, record });
    }
    this.startCommit();
    for (const [runId, heard] of this.lastHeard) {
      const s = this.runStat(runId);
      if (s.finished || s.interrupted || now - heard < this.options.silenceMs) continue;
      s.interrupted = true;
      await this.markInterrupted(runId, now - heard);
    }
  }

  private reportGap(gap: Gap): void {
    this.runStat(gap.runId).gaps.push(gap);
    this.options.log(`ingest: run ${gap.runId}: seq ${gap.from}..${gap.to} never arrived; stored the records after the gap`);
  }

  /**
   * Stores a RunFinished(INTERRUPTED) with the run's next seq, through the same path as received records, so it is
   * ordered, stored and fanned out like them. A producer that comes back later continues after it (its record with
   * that seq is refused, see refuseMarkedSeq) and the run is active again.
   */
  private async markInterrupted(runId: string, silentMs: number): Promise<void> {
    const message = `${MARK_PREFIX}no record for ${Math.round(silentMs / 1000)} s and no RunFinished`;
    this.options.log(`ingest: run ${runId} marked interrupted: ${message}`);
    const sequencer = this.sequencer(runId);
    const { step, epoch } = this.lastStep.get(runId) ?? { step: 0, epoch: 0 };
    const envelope: Envelope = {
      schemaVersion: SCHEMA_VERSION,
      runId,
      seq: sequencer.lastSeq + 1,
      timeUnixUs: Date.now() * 1000,
      runFinished: { status: RunStatus.INTERRUPTED, message, lastStep: step, lastEpoch: epoch },
    };
    this.marks.set(runId, Number(envelope.seq));
    const ready: EncodedEnvelope[] = [];
    sequencer.offer({ envelope, bytes: encodeEnvelope(envelope, this.options.limits) }, Date.now(), ready);
    for (const record of ready) this.pending.push({ sender: '(bridge)', routingId: Buffer.alloc(0), runId, record });
    this.startCommit();
    await this.drain();
  }

  private sequencer(runId: string): RunSequencer {
    let s = this.sequencers.get(runId);
    if (!s) {
      s = new RunSequencer(runId, this.store.lastSeq(runId) ?? -1);
      this.sequencers.set(runId, s);
      this.runStat(runId).lastSeq = s.lastSeq;
    }
    return s;
  }

  private runStat(runId: string): RunIngestStats {
    let s = this.runStats.get(runId);
    if (!s) {
      s = { lastSeq: -1, accepted: 0, duplicates: 0, gaps: [], held: 0, finished: false, interrupted: false };
      this.runStats.set(runId, s);
    }
    return s;
  }

  private senderStats(sender: string): SenderStats {
    let s = this.senders.get(sender);
    if (!s) {
      s = emptySenderStats();
      this.senders.set(sender, s);
    }
    return s;
  }

  /** A store failure means acknowledged data could be at risk: stop taking data and say so. */
  private fail(error: Error): void {
    this.failure ??= error;
    this.options.log(`ingest: stopped: ${error.message}`);
    this.closed = true;
    this.router.close();
  }
}

/** A readable sender name: the client's routing id when it is printable, else its hex. */
function senderName(routingId: Buffer): string {
  const text = routingId.toString('latin1');
  return /^[\x21-\x7e]+$/.test(text) ? text : routingId.toString('hex');
}
