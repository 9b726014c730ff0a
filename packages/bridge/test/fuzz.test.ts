import * as zmq from 'zeromq';
import { DEFAULT_LIMITS, Rng, RunStore, encodeEnvelope } from '@flightdeck/core';
import { BridgeClient } from '../src/client/index.js';
import { IngestServer } from '../src/ingest/index.js';
import { runEnvelopes, waitFor } from './helpers/records.js';
import { readRun, tempDir } from './helpers/store.js';

const FRAMES = 4000;
const limits = { ...DEFAULT_LIMITS, maxEnvelopeBytes: 4096 };

/** A random frame: pure noise, or a valid frame of another run bit-flipped, truncated, extended or spliced. */
function fuzzFrame(rng: Rng, templates: Uint8Array[]): Buffer {
  const t = templates[rng.int(templates.length)];
  const b = Buffer.from(t);
  switch (rng.int(6)) {
    case 0:
      return Buffer.from(Array.from({ length: rng.int(64) }, () => rng.int(256)));
    case 1:
      for (let k = 1 + rng.int(4); k > 0; k--) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    case 2:
      return b.subarray(0, rng.int(b.length));
    case 3:
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)))]);
    case 4:
      return Buffer.concat([b.subarray(0, rng.int(b.length)), templates[rng.int(templates.length)].subarray(rng.int(8))]);
    default:
      return Buffer.alloc(4096 + 1 + rng.int(900), rng.int(256)); // oversize, but under the socket's hard limit
  }
}

test('thousands of random and mutated frames: the server stays up and the accepted data is intact', async () => {
  const tmp = tempDir();
  const store = await RunStore.open(tmp.dir, { fsync: 'never', log: () => undefined });
  const logs: string[] = [];
  const server = await IngestServer.start(store, { bind: 'tcp://127.0.0.1:0', limits, gapTimeoutMs: 200, log: (l) => logs.push(l) });
  const rng = new Rng(20261129);
  const templates = runEnvelopes('fuzz-run', 40).map((e) => encodeEnvelope(e));
  const good = runEnvelopes('good-run', 500);
  const fuzzer = new zmq.Dealer({ routingId: 'fuzzer', linger: 0 });
  fuzzer.connect(server.address);
  let replies = 0;
  void (async () => {
    for await (const _ of fuzzer) replies++;
  })().catch(() => undefined);
  const client = new BridgeClient({ address: server.address, limits, log: () => undefined });
  const goodStream = (async () => {
    for (const e of good) await client.write(e);
    await client.close();
  })();
  for (let sent = 0; sent < FRAMES; ) {
    const n = Math.min(1 + rng.int(20), FRAMES - sent);
    await fuzzer.send(Array.from({ length: n }, () => fuzzFrame(rng, templates)));
    sent += n;
  }
  await goodStream;
  const fuzzStats = () => server.stats().senders.fuzzer;
  const handled = () => {
    const s = fuzzStats();
    return s ? s.accepted + s.duplicates + Object.values(s.rejected).reduce((a, b) => a + (b ?? 0), 0) : 0;
  };
  await waitFor(() => handled() === FRAMES, 20_000, 'every fuzz frame handled');
  const s = fuzzStats();
  expect(s.rejected.malformed).toBeGreaterThan(100);
  expect(s.rejected.oversize).toBeGreaterThan(100);
  expect(s.lastError).toBeDefined();
  expect(logs.filter((l) => l.includes('sender fuzzer')).length).toBeLessThan(20); // sampled, not one line per frame

  // The well-behaved run came through whole, and the server still takes new runs.
  expect(client.report()).toMatchObject({ acknowledged: good.length, rejected: [] });
  expect((await readRun(store, 'good-run')).map((e) => Number(e.seq))).toEqual(good.map((e) => Number(e.seq)));
  const after = new BridgeClient({ address: server.address, log: () => undefined });
  for (const e of runEnvelopes('after-run', 5)) await after.write(e);
  await after.close();
  expect(store.lastSeq('after-run')).toBe(6);
  // Whatever of the fuzz run was accepted is stored in order, once.
  if (store.lastSeq('fuzz-run') !== undefined) {
    const fuzzSeqs = (await readRun(store, 'fuzz-run')).map((e) => Number(e.seq));
    expect(fuzzSeqs).toEqual([...fuzzSeqs].sort((a, b) => a - b));
    expect(new Set(fuzzSeqs).size).toBe(fuzzSeqs.length);
  }
  expect(replies).toBeGreaterThan(0);
  fuzzer.close();
  await server.close();
  await store.close();
  tmp.remove();
});
