import { varintLength } from '@flightdeck/core';

/**
 * Several envelopes in one ZeroMQ frame: `PACKED_MAGIC | (varint length | encoded Envelope)*`. ZeroMQ costs about
 * as much per message part as the ingest spends decoding a small record, so clients send a batch as one packed
 * frame. A frame that does not start with the magic is one encoded Envelope, as before. The magic's first byte
 * (0x46: field 8, wire type 6) cannot start a protobuf message, so no Envelope frame is ever taken for a packed one.
 */
export const PACKED_MAGIC = Buffer.from('FDB\x01', 'latin1');

/** The largest packed frame a client makes (an envelope larger than that goes alone, unpacked); servers accept it. */
export const MAX_PACKED_BYTES = 1 << 20;

export function isPacked(frame: Uint8Array): boolean {
  return frame.length >= PACKED_MAGIC.length && frame[0] === PACKED_MAGIC[0] && frame[1] === PACKED_MAGIC[1] && frame[2] === PACKED_MAGIC[2] && frame[3] === PACKED_MAGIC[3];
}

/** The size of `payloads` packed into one frame. */
export function packedLength(payloads: readonly Uint8Array[]): number {
  let n = PACKED_MAGIC.length;
  for (const p of payloads) n += varintLength(p.length) + p.length;
  return n;
}

/** Packs encoded envelopes into one frame. */
export function pack(payloads: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(packedLength(payloads));
  PACKED_MAGIC.copy(out, 0);
  let at = PACKED_MAGIC.length;
  for (const p of payloads) {
    let value = p.length;
    while (value >= 0x80) {
      out[at++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    out[at++] = value;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Calls `each` with every envelope's bytes (views into `frame`, not copies) in order. Returns what is wrong with the
 * rest of the frame (a length that is not a varint or that runs past the end) after the envelopes before it were
 * handed out, or undefined when the whole frame was read.
 */
export function unpack(frame: Buffer, each: (payload: Buffer) => void): string | undefined {
  let at = PACKED_MAGIC.length;
  for (let index = 0; at < frame.length; index++) {
    const start = at;
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= frame.length || shift > 28) return `packed frame: the length of envelope ${index} at byte ${start} is not a valid varint`;
      const b = frame[at++];
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if (at + length > frame.length) return `packed frame: envelope ${index} at byte ${start} needs ${length} bytes, ${frame.length - at} left`;
    each(frame.subarray(at, at + length));
    at += length;
  }
  return undefined;
}
