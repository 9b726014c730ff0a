import { decodeEnvelope, encodeEnvelope } from '@flightdeck/core';
import { PACKED_MAGIC, isPacked, pack, packedLength, unpack } from '../src/ingest/packed.js';
import { runEnvelopes } from './helpers/records.js';
import { runPython } from './helpers/python.js';

const payload = (n: number, fill: number) => Buffer.alloc(n, fill);

function unpackAll(frame: Buffer): { payloads: Buffer[]; problem?: string } {
  const payloads: Buffer[] = [];
  const problem = unpack(frame, (p) => payloads.push(Buffer.from(p)));
  return { payloads, problem };
}

test('packs and unpacks envelopes of any length, in order', () => {
  // Lengths around the varint steps (1, 2 and 3 bytes of length prefix).
  const payloads = [0, 1, 127, 128, 300, 16383, 16384, 70000].map((n, i) => payload(n, i + 1));
  const frame = pack(payloads);
  expect(frame.length).toBe(packedLength(payloads));
  expect(frame.subarray(0, 4).equals(PACKED_MAGIC)).toBe(true);
  expect(isPacked(frame)).toBe(true);
  const { payloads: back, problem } = unpackAll(frame);
  expect(problem).toBeUndefined();
  expect(back).toEqual(payloads);
  expect(unpackAll(pack([])).payloads).toEqual([]);
});

test('no encoded envelope is taken for a packed frame, and a packed frame does not decode as an envelope', () => {
  const envelopes = [...runEnvelopes('run-a', 3), ...runEnvelopes('Fdb', 2)].map((e) => encodeEnvelope(e));
  for (const e of envelopes) expect(isPacked(e)).toBe(false);
  const decoded = decodeEnvelope(pack(envelopes));
  expect(decoded.ok).toBe(false);
  if (!decoded.ok) expect(decoded.error.code).toBe('malformed');
});

test('a damaged packed frame gives the envelopes before the damage and says where it is', () => {
  const payloads = [payload(10, 1), payload(200, 2), payload(30, 3)];
  const frame = pack(payloads);
  const truncated = unpackAll(frame.subarray(0, frame.length - 5));
  expect(truncated.payloads).toEqual(payloads.slice(0, 2));
  expect(truncated.problem).toBe('packed frame: envelope 2 at byte 217 needs 30 bytes, 25 left');
  const badLength = unpackAll(Buffer.concat([pack(payloads.slice(0, 1)), Buffer.alloc(6, 0xff)]));
  expect(badLength.payloads).toEqual(payloads.slice(0, 1));
  expect(badLength.problem).toBe('packed frame: the length of envelope 1 at byte 15 is not a valid varint');
  const cutPrefix = unpackAll(Buffer.concat([PACKED_MAGIC, Buffer.from([0x80])]));
  expect(cutPrefix).toEqual({ payloads: [], problem: 'packed frame: the length of envelope 0 at byte 4 is not a valid varint' });
});

test('the Python client packs byte for byte as the TypeScript one', async () => {
  const lengths = [0, 1, 127, 128, 300, 16384];
  const script = `from flightdeck_client.packed import pack\nprint(pack([bytes([i + 1]) * n for i, n in enumerate(${JSON.stringify(lengths)})]).hex())`;
  const fromPython = (await runPython(['-c', script])).trim();
  expect(fromPython).toBe(pack(lengths.map((n, i) => payload(n, i + 1))).toString('hex'));
});
