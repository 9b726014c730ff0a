import { crc32 } from 'node:zlib';

/**
 * The file framing of envelopes: `varint(length) | payload | crc32(varint ‖ payload), little-endian`.
 * The length prefix makes records self-delimiting; the checksum (over the prefix too, so a flipped length bit is
 * caught) tells a torn write or bit rot in the tail from a short length. A frame is never split or padded.
 */

/** Bytes of the checksum that closes every frame. */
export const CHECKSUM_BYTES = 4;
/** A 32-bit length needs at most five 7-bit groups. */
const MAX_VARINT_BYTES = 5;

export function varintLength(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Size on disk of a frame carrying `payloadLength` bytes. */
export function frameLength(payloadLength: number): number {
  return varintLength(payloadLength) + payloadLength + CHECKSUM_BYTES;
}

/** Writes one frame at `offset` of `target` (which must have room: see frameLength); returns the offset after it. */
export function writeFrame(target: Buffer, offset: number, payload: Uint8Array): number {
  const start = offset;
  let value = payload.length;
  while (value >= 0x80) {
    target[offset++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  target[offset++] = value;
  target.set(payload, offset);
  offset += payload.length;
  target.writeUInt32LE(crc32(target.subarray(start, offset)), offset);
  return offset + CHECKSUM_BYTES;
}

export function encodeFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(frameLength(payload.length));
  writeFrame(out, 0, payload);
  return out;
}

/** Frames several payloads into one buffer (one write call for a batch). */
export function encodeFrames(payloads: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(payloads.reduce((n, p) => n + frameLength(p.length), 0));
  let offset = 0;
  for (const p of payloads) offset = writeFrame(out, offset, p);
  return out;
}

/** One complete, checksum-verified record and where its frame starts in the file or stream. */
export interface Frame {
  offset: number;
  payload: Uint8Array;
}

/** Why the bytes after the last good frame are not a record. */
export type FrameFault =
  /** The stream ends inside a frame: a torn write (or a length prefix damaged to point past the end). */
  | 'truncated'
  /** A complete frame whose checksum does not match: bit rot, or a torn write the file system padded. */
  | 'checksum'
  /** A length prefix that is not a varint or declares more than the largest record allowed. */
  | 'bad_length';

/** Where the good records end. `fault` is absent when the stream ends exactly after a complete frame. */
export interface FrameTail {
  /** Complete records read. */
  records: number;
  /** Byte offset just after the last good record (= where the bad tail starts, if any). */
  goodEnd: number;
  /** Total bytes seen. */
  totalBytes: number;
  fault?: { reason: FrameFault; detail: string };
}

export interface FrameDecoderOptions {
  /** Largest payload accepted, so that a damaged length cannot make a reader buffer gigabytes. */
  maxPayloadBytes: number;
}

/**
 * Incremental frame decoder: push chunks of any size (a frame may straddle any number of them), get the complete
 * frames back, then ask `finish()` where the good data ends. It never throws on bad input: after the first bad
 * frame it stops decoding and only counts bytes, since nothing after a damaged length can be trusted.
 */
export class FrameDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Stream offset of the first pending byte. */
  private base = 0;
  /** Pending bytes needed before decoding can make progress. */
  private need = 1;
  private records = 0;
  private total = 0;
  private fault: FrameTail['fault'];

  constructor(private readonly options: FrameDecoderOptions) {}

  push(chunk: Uint8Array): Frame[] {
    this.total += chunk.length;
    if (this.fault || chunk.length === 0) return [];
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.need) return [];
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    const frames: Frame[] = [];
    let pos = 0;
    for (;;) {
      const step = this.decodeAt(buf, pos);
      if (step.kind === 'frame') {
        frames.push({ offset: this.base + pos, payload: step.payload });
        this.records++;
        pos = step.next;
        continue;
      }
      if (step.kind === 'fault') this.fault = { reason: step.reason, detail: `at offset ${this.base + pos}: ${step.detail}` };
      else this.need = step.need;
      break;
    }
    this.base += pos;
    const rest = buf.subarray(pos);
    this.pending = this.fault || rest.length === 0 ? [] : [rest];
    this.pendingBytes = this.fault ? 0 : rest.length;
    if (this.pendingBytes === 0) this.need = 1;
    return frames;
  }

  /** Where the good records end and, if anything follows them, why it is not a record. */
  finish(): FrameTail {
    const tail: FrameTail = { records: this.records, goodEnd: this.base, totalBytes: this.total };
    if (this.fault) tail.fault = this.fault;
    else if (this.pendingBytes > 0) {
      const head = Buffer.concat(this.pending, this.pendingBytes);
      const length = readVarint(head, 0);
      const detail =
        length.kind === 'value'
          ? `a record of ${length.value} bytes starts at offset ${this.base} but only ${this.pendingBytes} bytes of its frame (${frameLength(length.value)}) are there`
          : `the length prefix at offset ${this.base} is cut off after ${this.pendingBytes} bytes`;
      tail.fault = { reason: 'truncated', detail };
    }
    return tail;
  }

  private decodeAt(
    buf: Buffer,
    pos: number,
  ): { kind: 'frame'; payload: Buffer; next: number } | { kind: 'more'; need: number } | { kind: 'fault'; reason: FrameFault; detail: string } {
    if (pos === buf.length) return { kind: 'more', need: 1 };
    const length = readVarint(buf, pos);
    if (length.kind === 'incomplete') return { kind: 'more', need: buf.length - pos + 1 };
    if (length.kind === 'invalid') return { kind: 'fault', reason: 'bad_length', detail: 'the length prefix is not a varint of at most 32 bits' };
    if (length.value > this.options.maxPayloadBytes) {
      return { kind: 'fault', reason: 'bad_length', detail: `declared length ${length.value} exceeds the limit of ${this.options.maxPayloadBytes} bytes` };
    }
    const payloadStart = pos + length.bytes;
    const crcAt = payloadStart + length.value;
    const next = crcAt + CHECKSUM_BYTES;
    if (next > buf.length) return { kind: 'more', need: next - pos };
    const stored = buf.readUInt32LE(crcAt);
    const actual = crc32(buf.subarray(pos, crcAt));
    if (stored !== actual) {
      return { kind: 'fault', reason: 'checksum', detail: `checksum of the ${length.value}-byte record is ${hex(actual)}, the frame says ${hex(stored)}` };
    }
    return { kind: 'frame', payload: buf.subarray(payloadStart, crcAt), next };
  }
}

type VarintRead = { kind: 'value'; value: number; bytes: number } | { kind: 'incomplete' } | { kind: 'invalid' };

function readVarint(buf: Buffer, pos: number): VarintRead {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos + i >= buf.length) return { kind: 'incomplete' };
    const byte = buf[pos + i];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return value > 0xffffffff ? { kind: 'invalid' } : { kind: 'value', value, bytes: i + 1 };
  }
  return { kind: 'invalid' };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
