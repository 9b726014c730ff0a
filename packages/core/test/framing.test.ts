import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKSUM_BYTES, decodeFrames, encodeFrame, encodeFrames, FrameDecoder, FrameReader, frameLength, readFrameFile, Rng } from '../src/index.js';

/** Bitwise CRC-32 (IEEE, reflected), independent of zlib. */
function referenceCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function payloads(rng: Rng, sizes: number[]): Uint8Array[] {
  return sizes.map((n) => Uint8Array.from({ length: n }, () => rng.int(256)));
}

/** Where each frame starts and ends, from the payload sizes alone. */
function boundaries(ps: Uint8Array[]): { start: number; end: number }[] {
  let at = 0;
  return ps.map((p) => {
    const start = at;
    at += frameLength(p.length);
    return { start, end: at };
  });
}

async function* chunked(bytes: Uint8Array, sizes: (i: number) => number): AsyncIterable<Uint8Array> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes(i));
    yield bytes.slice(at, at + n);
    at += n;
  }
}

async function collect(reader: FrameReader) {
  const frames = [];
  for await (const f of reader) frames.push({ offset: f.offset, payload: hex(f.payload) });
  return frames;
}

const rng = new Rng(11);
const sample = payloads(rng, [0, 1, 5, 127, 128, 300, 16383, 16384, 70000, 3, 40]);
const encoded = encodeFrames(sample);
const bounds = boundaries(sample);
const small = sample.filter((p) => p.length < 500);
const smallEncoded = encodeFrames(small);
const smallBounds = boundaries(small);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('frame layout', () => {
  it('is varint length, payload, little-endian CRC-32 of both', () => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
    const frame = encodeFrame(payload);
    expect([...frame.subarray(0, 2)]).toEqual([0xac, 0x02]); // 300 = 0b10_0101100
    expect(Buffer.from(frame.subarray(2, 302)).equals(Buffer.from(payload))).toBe(true);
    expect(frame.length).toBe(2 + 300 + CHECKSUM_BYTES);
    expect(frame.readUInt32LE(302)).toBe(referenceCrc32(frame.subarray(0, 302)));
  });

  it('sizes frames by their varint', () => {
    expect([0, 127, 128, 16383, 16384, 2 ** 21].map(frameLength)).toEqual([5, 132, 134, 16389, 16391, 2 ** 21 + 8]);
  });
});

describe('decoding frames', () => {
  it('round-trips payloads of every varint width from a buffer', () => {
    const { frames, tail } = decodeFrames(encoded);
    expect(frames.map((f) => hex(f.payload))).toEqual(sample.map(hex));
    expect(frames.map((f) => f.offset)).toEqual(bounds.map((b) => b.start));
    expect(tail).toEqual({ records: sample.length, goodEnd: encoded.length, totalBytes: encoded.length });
  });

  it.each([
    ['1-byte chunks', () => 1],
    ['7-byte chunks', () => 7],
    ['4 KiB chunks', () => 4096],
    ['random chunk sizes', (() => {
      const r = new Rng(3);
      return () => 1 + r.int(3000);
    })()],
  ])('yields the same records from a stream in %s (records straddle chunks)', async (_name, sizes) => {
    const reader = new FrameReader(chunked(encoded, sizes));
    const frames = await collect(reader);
    expect(frames.map((f) => f.payload)).toEqual(sample.map(hex));
    expect(frames.map((f) => f.offset)).toEqual(bounds.map((b) => b.start));
    expect(reader.tail).toEqual({ records: sample.length, goodEnd: encoded.length, totalBytes: encoded.length });
  });

  /** Cuts `bytes` at `cut` and checks that exactly the frames ending before the cut come back. */
  function expectCutAt(bytes: Uint8Array, frameBounds: { start: number; end: number }[], cut: number): void {
    const complete = frameBounds.filter((b) => b.end <= cut);
    const goodEnd = complete.length ? complete[complete.length - 1].end : 0;
    const { frames, tail } = decodeFrames(bytes.subarray(0, cut));
    expect(frames.length).toBe(complete.length);
    expect(tail.goodEnd).toBe(goodEnd);
    expect(tail.totalBytes).toBe(cut);
    if (goodEnd === cut) expect(tail.fault).toBeUndefined();
    else {
      expect(tail.fault?.reason).toBe('truncated');
      expect(tail.fault?.detail).toContain(`offset ${goodEnd}`);
    }
  }

  it('cut at every byte offset keeps exactly the complete frames and names where the good data ends', () => {
    for (let cut = 0; cut <= smallEncoded.length; cut++) expectCutAt(smallEncoded, smallBounds, cut);
  });

  it('cut inside the length prefix, the payload or the checksum of large frames', () => {
    const cuts = bounds.flatMap((b) => [0, 1, 2, 3, 4, 5].flatMap((d) => [b.start + d, b.end - d]).concat((b.start + b.end) >> 1));
    for (const cut of cuts) expectCutAt(encoded, bounds, cut);
  });

  it('detects a flipped bit or byte anywhere: the damaged frame and everything after it are not returned', () => {
    for (let at = 0; at < smallEncoded.length; at++) {
      const hit = smallBounds.findIndex((b) => at < b.end);
      for (const mask of [0x01, 0x80, 0xff]) {
        const damaged = Buffer.from(smallEncoded);
        damaged[at] ^= mask;
        const { frames, tail } = decodeFrames(damaged);
        expect(frames.length).toBe(hit);
        expect(frames.map((f) => hex(f.payload))).toEqual(small.slice(0, hit).map(hex));
        expect(tail.goodEnd).toBe(smallBounds[hit].start);
        expect(tail.fault).toBeDefined();
      }
    }
  });

  it('reports a length prefix that is not a varint or declares too much, without reading on', () => {
    const notVarint = Buffer.concat([encodeFrame(Uint8Array.of(1)), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), encodeFrame(Uint8Array.of(2))]);
    const a = decodeFrames(notVarint);
    expect(a.frames.length).toBe(1);
    expect(a.tail.goodEnd).toBe(6);
    expect(a.tail.fault?.reason).toBe('bad_length');
    expect(a.tail.totalBytes).toBe(notVarint.length);

    const huge = Buffer.concat([encodeFrame(Uint8Array.of(1)), encodeFrame(new Uint8Array(100))]);
    const b = decodeFrames(huge, { maxPayloadBytes: 99 });
    expect(b.frames.length).toBe(1);
    expect(b.tail.fault?.reason).toBe('bad_length');
    expect(b.tail.fault?.detail).toMatch(/declared length 100 exceeds the limit of 99 bytes/);
  });

  it('a checksum fault names the offset of the bad frame', () => {
    const two = encodeFrames([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)]);
    two[two.length - 1] ^= 0x10;
    const { tail } = decodeFrames(two);
    expect(tail).toMatchObject({ records: 1, goodEnd: 8, fault: { reason: 'checksum' } });
    expect(tail.fault!.detail).toMatch(/^at offset 8: checksum of the 3-byte record/);
  });

  it('never throws on random bytes pushed in random chunks', () => {
    const r = new Rng(5);
    for (let i = 0; i < 300; i++) {
      const decoder = new FrameDecoder({ maxPayloadBytes: 1 << 16 });
      const bytes = Uint8Array.from({ length: r.int(400) }, () => r.int(256));
      let total = 0;
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + r.int(50);
        total += decoder.push(bytes.subarray(at, at + n)).length;
        at += n;
      }
      const tail = decoder.finish();
      expect(tail.records).toBe(total);
      expect(tail.totalBytes).toBe(bytes.length);
      expect(tail.goodEnd).toBeLessThanOrEqual(bytes.length);
    }
  });
});

describe('reading a framed file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-framing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a file in small chunks and honours an end offset', async () => {
    const path = join(dir, 'a.fdlog');
    writeFileSync(path, Buffer.concat([encoded, Buffer.from([0x05, 1, 2])]));
    const whole = readFrameFile(path, { chunkBytes: 1000 });
    expect((await collect(whole)).map((f) => f.payload)).toEqual(sample.map(hex));
    expect(whole.tail).toMatchObject({ records: sample.length, goodEnd: encoded.length, totalBytes: encoded.length + 3, fault: { reason: 'truncated' } });

    const firstThree = readFrameFile(path, { chunkBytes: 3, end: bounds[2].end });
    expect((await collect(firstThree)).length).toBe(3);
    expect(firstThree.tail).toEqual({ records: 3, goodEnd: bounds[2].end, totalBytes: bounds[2].end });

    const none = readFrameFile(path, { end: 0 });
    expect(await collect(none)).toEqual([]);
    expect(none.tail).toEqual({ records: 0, goodEnd: 0, totalBytes: 0 });
  });

  it('throws the read error of a missing file', async () => {
    await expect(collect(readFrameFile(join(dir, 'missing.fdlog')))).rejects.toThrow(/ENOENT/);
  });
});
