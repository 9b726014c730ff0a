import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import * as zmq from 'zeromq';
import { DEFAULT_LIMITS, decodeServerMessage, encodeEnvelope, type CodecLimits, type Envelope, type Reject, type Sink } from '@flightdeck/core';
import { checkCurveKey, type CurveClientConfig } from '../ingest/curve.js';
import { MAX_PACKED_BYTES, PACKED_MAGIC, pack } from '../ingest/packed.js';
import { UnackedBuffer, type Pending } from './unacked.js';

export type WhenFull = 'wait' | 'drop';

/** An envelope's length prefix in a pack: a 32-bit varint. */
const MAX_VARINT_BYTES = 5;

export interface BridgeClientOptions {
  /** The ingest's address; default tcp://127.0.0.1:5555. */
  address?: string;
  /** CurveZMQ keys, when the server requires them. */
  curve?: CurveClientConfig;
  /** Most records kept unacknowledged; default 10,000. */
  maxUnacked?: number;
  /** When the buffer is full: wait for acks (backpressure on the producer) or drop the record and count it. */
  whenFull?: WhenFull;
  /**
   * Everything unacknowledged is sent again after every reconnect, and as a fallback when no ack came for this
   * long (doubling while acks stay away, so a slow server is not flooded with copies). Default 30 s.
   */
  resendAfterMs?: number;
  /** Most envelopes sent in one ZeroMQ message (packed into one frame, at most about 1 MiB); default 256. */
  batchSize?: number;
  /** How long close() waits for the last acks; default 30 s. */
  closeTimeoutMs?: number;
  limits?: CodecLimits;
  log?: (line: string) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** What a client did, reported at close. */
export interface BridgeClientReport {
  sent: number;
  acknowledged: number;
  resent: number;
  /** Records dropped because the buffer was full (whenFull 'drop'). */
  dropped: number;
  /** Records the server refused, with its reasons. */
  rejected: Reject[];
  /** Records never acknowledged (close timed out). */
  unacknowledged: number;
}

/**
 * A Sink that streams envelopes to a bridge over ZeroMQ (DEALER to the ingest's ROUTER). Records stay in a
 * bounded buffer until the server acknowledges them as durably stored, and are sent again when acks stop
 * coming (a restarted server deduplicates by run and seq), so a tfjs trainer on another machine streams exactly
 * like a PyTorch one.
 */
export class BridgeClient implements Sink {
  private readonly socket: zmq.Dealer;
  private readonly unacked = new UnackedBuffer();
  private outgoing: Uint8Array[] = [];
  /** The queued envelopes' size in a pack. */
  private outgoingBytes = 0;
  private sending: Promise<void> | undefined;
  private flushing: NodeJS.Immediate | undefined;
  private readonly spaceWaiters: Waiter[] = [];
  private readonly emptyWaiters: Waiter[] = [];
  /** Set while the server refuses this client's handshake (CurveZMQ key not allowed, or a security mismatch). */
  private refusal: Error | undefined;
  private lastProgress = Date.now();
  private readonly timer: NodeJS.Timeout;
  private readonly receiving: Promise<void>;
  private closed = false;
  private readonly counts = { sent: 0, acknowledged: 0, resent: 0, dropped: 0 };
  private readonly rejected: Reject[] = [];
  private droppedNotice = false;
  private readonly opts: Required<Omit<BridgeClientOptions, 'curve'>>;

  constructor(options: BridgeClientOptions = {}) {
    this.opts = {
      address: options.address ?? 'tcp://127.0.0.1:5555',
      maxUnacked: options.maxUnacked ?? 10_000,
      whenFull: options.whenFull ?? 'wait',
      resendAfterMs: options.resendAfterMs ?? 30_000,
      batchSize: options.batchSize ?? 256,
      closeTimeoutMs: options.closeTimeoutMs ?? 30_000,
      limits: options.limits ?? DEFAULT_LIMITS,
      log: options.log ?? ((line) => process.stderr.write(`${line}\n`)),
    };
    this.stallMs = this.opts.resendAfterMs;
    if (!(this.opts.maxUnacked >= 1)) throw new Error(`maxUnacked must be at least 1, got ${this.opts.maxUnacked}`);
    if (this.opts.whenFull !== 'wait' && this.opts.whenFull !== 'drop') throw new Error(`whenFull must be "wait" or "drop", got ${String(this.opts.whenFull)}`);
    this.socket = new zmq.Dealer({
      routingId: `ts-${hostname().replace(/[^\x21-\x7e]/g, '')}-${process.pid}-${randomBytes(3).toString('hex')}`,
      linger: 0,
      sendHighWaterMark: 100_000,
      ...(options.curve
        ? {
            curveServerKey: checkCurveKey(options.curve.serverPublicKey, 'server public key'),
            curvePublicKey: checkCurveKey(options.curve.publicKey, 'client public key'),
            curveSecretKey: checkCurveKey(options.curve.secretKey, 'client secret key'),
          }
        : {}),
    });
    this.watching = this.watchHandshakes();
    this.socket.connect(this.opts.address);
    this.receiving = this.receiveLoop();
    this.timer = setInterval(() => this.resendIfStalled(), Math.max(50, this.opts.resendAfterMs / 4));
  }

  /** Buffers one envelope for sending; waits (or drops it) while `maxUnacked` records are unacknowledged. */
  async write(envelope: Envelope): Promise<void> {
    if (this.closed) throw new Error('BridgeClient: write after close');
    const frame = encodeEnvelope(envelope, this.opts.limits);
    while (this.unacked.size >= this.opts.maxUnacked) {
      if (this.opts.whenFull === 'drop') {
        this.counts.dropped++;
        if (!this.droppedNotice) this.opts.log(`bridge client: ${this.opts.maxUnacked} records unacknowledged; dropping records until the server catches up`);
        this.droppedNotice = true;
        return;
      }
      if (this.refusal) throw this.refusal;
      await new Promise<void>((resolve, reject) => this.spaceWaiters.push({ resolve, reject }));
      if (this.closed) throw new Error('BridgeClient: closed while waiting for buffer space');
    }
    if (this.unacked.size === 0) this.lastProgress = Date.now();
    this.unacked.add({ runId: envelope.runId!, seq: Number(envelope.seq), frame });
    this.queue([frame]);
    this.counts.sent++;
  }

  /**
   * Resolves once every record written so far is acknowledged as stored (or refused). Rejects while the server
   * refuses this client's handshake: nothing can be acknowledged then (the records stay buffered).
   */
  async flush(): Promise<void> {
    if (this.unacked.size === 0) return;
    if (this.refusal) throw this.refusal;
    await new Promise<void>((resolve, reject) => this.emptyWaiters.push({ resolve, reject }));
  }

  /** Waits for the last acks (up to closeTimeoutMs), closes the socket and reports. */
  async close(): Promise<void> {
    if (this.closed) return;
    let timeout: NodeJS.Timeout | undefined;
    const flushed = this.flush().catch(() => undefined); // a refusal is in the report as unacknowledged records
    await Promise.race([flushed, new Promise<void>((resolve) => (timeout = setTimeout(resolve, this.opts.closeTimeoutMs)))]);
    clearTimeout(timeout);
    this.closed = true;
    clearInterval(this.timer);
    clearImmediate(this.flushing);
    this.socket.close();
    await this.receiving;
    await this.watching;
    for (const w of this.spaceWaiters.splice(0)) w.resolve();
    const r = this.report();
    if (r.dropped || r.rejected.length || r.unacknowledged) {
      this.opts.log(`bridge client: closed with ${r.dropped} records dropped (buffer full), ${r.rejected.length} refused by the server, ${r.unacknowledged} unacknowledged`);
    }
  }

  report(): BridgeClientReport {
    return { ...this.counts, rejected: [...this.rejected], unacknowledged: this.unacked.size };
  }

  /**
   * Sends full packs at once and the rest on the event loop's next turn, so that the records a producer writes in
   * one go share a frame: zeromq resolves most sends synchronously, and sending whatever was queued at each of them
   * put 1-2 records in a message (ZeroMQ costs about as much per message as the ingest spends per small record).
   */
  private queue(frames: Uint8Array[]): void {
    for (const f of frames) {
      this.outgoing.push(f);
      this.outgoingBytes += f.length + MAX_VARINT_BYTES;
    }
    if (this.packReady()) this.startSending(false);
    else this.flushSoon();
  }

  private packReady(): boolean {
    return this.outgoing.length >= this.opts.batchSize || this.outgoingBytes >= MAX_PACKED_BYTES;
  }

  private flushSoon(): void {
    this.flushing ??= setImmediate(() => {
      this.flushing = undefined;
      this.startSending(true);
    });
  }

  /**
   * `sending` is cleared in a callback, which runs after it was set even when the loop has nothing to send (an
   * async function that never waits has finished before its promise could be stored).
   */
  private startSending(partial: boolean): void {
    if (this.sending || this.closed) return;
    this.sending = this.sendLoop(partial).finally(() => {
      this.sending = undefined;
      if (this.outgoing.length && !this.closed) this.flushSoon();
    });
  }

  private async sendLoop(partial: boolean): Promise<void> {
    try {
      while (this.outgoing.length && !this.closed && (partial || this.packReady())) await this.socket.send(this.nextMessage());
    } catch (e) {
      if (!this.closed) this.opts.log(`bridge client: send failed: ${(e as Error).message}`);
    }
  }

  /**
   * The next message's one frame: up to `batchSize` queued envelopes packed together (ZeroMQ costs about as much per
   * frame as per byte of a small record), as long as the pack stays under MAX_PACKED_BYTES. An envelope sent alone
   * goes as it is: a large one then never makes a pack larger than the server's frame limit allows.
   */
  private nextMessage(): Uint8Array {
    let n = 0;
    for (let bytes = PACKED_MAGIC.length; n < this.outgoing.length && n < this.opts.batchSize; n++) {
      bytes += this.outgoing[n].length + MAX_VARINT_BYTES;
      if (n > 0 && bytes > MAX_PACKED_BYTES) break;
    }
    const batch = this.outgoing.splice(0, n);
    for (const f of batch) this.outgoingBytes -= f.length + MAX_VARINT_BYTES;
    return batch.length === 1 ? batch[0] : pack(batch);
  }

  private async receiveLoop(): Promise<void> {
    try {
      for await (const [frame] of this.socket) {
        const message = decodeServerMessage(frame);
        if (message instanceof Error) {
          this.opts.log(`bridge client: unreadable server message: ${message.message}`);
        } else if (message.ack) {
          const n = this.unacked.ack(message.ack.runId!, Number(message.ack.seq));
          if (n) this.progress(n);
        } else if (message.reject) {
          const r = message.reject;
          this.rejected.push(r);
          this.opts.log(`bridge client: server refused run ${r.runId} seq ${r.seq ?? '?'}: ${r.message}`);
          if (r.seq != null && this.unacked.remove(r.runId!, Number(r.seq))) this.progress(0);
        }
      }
    } catch (e) {
      if (!this.closed) this.opts.log(`bridge client: receive failed: ${(e as Error).message}`);
    }
  }

  private progress(acknowledged: number): void {
    this.counts.acknowledged += acknowledged;
    this.lastProgress = Date.now();
    this.stallMs = this.opts.resendAfterMs;
    while (this.spaceWaiters.length && this.unacked.size < this.opts.maxUnacked) this.spaceWaiters.shift()!.resolve();
    if (this.unacked.size === 0) for (const w of this.emptyWaiters.splice(0)) w.resolve();
  }

  private stallMs: number;
  private readonly watching: Promise<void>;

  /**
   * A new handshake means a new connection: the server may have restarted and lost what was in flight. (Events
   * are read from the observer directly: its event-emitter mode keeps a `require` of the first module loader
   * that used it, which breaks under loaders that are torn down, such as jest's per test file.)
   */
  private async watchHandshakes(): Promise<void> {
    let handshakes = 0;
    try {
      for await (const event of this.socket.events) {
        if (event.type === 'handshake') {
          this.refusal = undefined;
          if (handshakes++ > 0) this.resendAll();
        } else if (event.type === 'handshake:error:auth' || event.type === 'handshake:error:protocol') {
          this.refuse(event.type === 'handshake:error:auth' ? `refused this client's CurveZMQ key (ZAP status ${event.error.status})` : `failed the security handshake (${event.error.message}): do both sides use CurveZMQ, with the server's public key?`);
        }
      }
    } catch (e) {
      if (!this.closed) this.opts.log(`bridge client: connection events failed: ${(e as Error).message}`);
    }
  }

  /** The server will not take anything from this client: say so once, and fail whoever waits for acks. */
  private refuse(why: string): void {
    const first = !this.refusal;
    this.refusal = new Error(`bridge client: the server at ${this.opts.address} ${why}; ${this.unacked.size} records stay unacknowledged`);
    if (first) this.opts.log(this.refusal.message);
    for (const w of [...this.emptyWaiters.splice(0), ...this.spaceWaiters.splice(0)]) w.reject(this.refusal);
  }

  /** No ack for a while (a reconnect went unnoticed, or the server is slow): send it all again, backing off. */
  private resendIfStalled(): void {
    if (this.unacked.size === 0 || Date.now() - this.lastProgress < this.stallMs) return;
    this.resendAll();
    this.stallMs = Math.min(this.stallMs * 2, 8 * this.opts.resendAfterMs);
  }

  private resendAll(): void {
    if (this.closed || this.unacked.size === 0) return;
    const all: Pending[] = this.unacked.all();
    this.counts.resent += all.length;
    this.outgoing = [];
    this.outgoingBytes = 0;
    this.queue(all.map((p) => p.frame));
    this.lastProgress = Date.now();
  }
}
