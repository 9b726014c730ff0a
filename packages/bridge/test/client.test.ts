import * as zmq from 'zeromq';
import { RunStore } from '@flightdeck/core';
import { BridgeClient } from '../src/client/index.js';
import { IngestServer, MAX_PACKED_BYTES, isPacked, unpack } from '../src/ingest/index.js';
import { runEnvelopes, waitFor } from './helpers/records.js';
import { freePort } from './helpers/serve-process.js';
import { readRun, tempDir } from './helpers/store.js';

test('a full buffer drops records under "drop" and counts them at close', async () => {
  const logs: string[] = [];
  const client = new BridgeClient({ address: `tcp://127.0.0.1:${await freePort()}`, maxUnacked: 5, whenFull: 'drop', closeTimeoutMs: 200, log: (l) => logs.push(l) });
  for (const e of runEnvelopes('nobody-listens', 18)) await client.write(e);
  await client.close();
  expect(client.report()).toMatchObject({ sent: 5, dropped: 15, acknowledged: 0, unacknowledged: 5 });
  expect(logs.join('\n')).toMatch(/5 records unacknowledged; dropping records[\s\S]*closed with 15 records dropped \(buffer full\), 0 refused by the server, 5 unacknowledged/);
});

test('under "wait" the producer waits for the server, then everything arrives', async () => {
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const client = new BridgeClient({ address, maxUnacked: 4, log: () => undefined });
  const envelopes = runEnvelopes('late-server', 30);
  let written = 0;
  const producing = (async () => {
    for (const e of envelopes) {
      await client.write(e);
      written++;
    }
  })();
  await new Promise((r) => setTimeout(r, 300));
  expect(written).toBe(4); // blocked on the full buffer, nothing dropped
  const tmp = tempDir();
  const store = await RunStore.open(tmp.dir, { log: () => undefined });
  const server = await IngestServer.start(store, { bind: address, log: () => undefined });
  await producing;
  await client.close();
  expect(client.report()).toMatchObject({ sent: envelopes.length, acknowledged: envelopes.length, dropped: 0 });
  await waitFor(() => store.lastSeq('late-server') === envelopes.length - 1);
  expect((await readRun(store, 'late-server')).map((e) => Number(e.seq))).toEqual(envelopes.map((e) => Number(e.seq)));
  await server.close();
  await store.close();
  tmp.remove();
});

test('bad options and invalid envelopes are refused at the client', async () => {
  expect(() => new BridgeClient({ maxUnacked: 0 })).toThrow(/maxUnacked must be at least 1/);
  expect(() => new BridgeClient({ whenFull: 'block' as never })).toThrow(/whenFull must be "wait" or "drop", got block/);
  expect(() => new BridgeClient({ curve: { serverPublicKey: 'short', publicKey: 'x', secretKey: 'y' } })).toThrow(/server public key: not a 40-character Z85 CurveZMQ key/);
  const client = new BridgeClient({ address: `tcp://127.0.0.1:${await freePort()}`, closeTimeoutMs: 100, log: () => undefined });
  const [started] = runEnvelopes('bad-client', 0);
  await expect(client.write({ ...started, runId: 'no spaces allowed' })).rejects.toThrow(/invalid at runId/);
  await client.close();
  await expect(client.write(started)).rejects.toThrow(/write after close/);
});

test('small records travel packed, one larger than a pack goes alone: all stored in order', async () => {
  const tmp = tempDir();
  const store = await RunStore.open(tmp.dir, { fsync: 'never', log: () => undefined });
  const server = await IngestServer.start(store, { bind: 'tcp://127.0.0.1:0', log: () => undefined });
  const envelopes = runEnvelopes('mixed-sizes', 600);
  // A checkpoint bigger than the largest pack, in the middle of the small step records.
  const big = { ...envelopes[300], step: undefined, checkpoint: { epoch: 0, step: 299, format: 'onnx', data: Buffer.alloc(MAX_PACKED_BYTES + 1000, 7) } };
  envelopes[300] = big;
  const client = new BridgeClient({ address: server.address, log: () => undefined });
  for (const e of envelopes) await client.write(e);
  await client.close();
  expect(client.report()).toMatchObject({ sent: envelopes.length, acknowledged: envelopes.length, resent: 0, rejected: [] });
  const stored = await readRun(store, 'mixed-sizes');
  expect(stored.map((e) => Number(e.seq))).toEqual(envelopes.map((e) => Number(e.seq)));
  expect(Buffer.from(stored[300].checkpoint!.data!).equals(big.checkpoint.data)).toBe(true);
  await server.close();
  await store.close();
  tmp.remove();
});

test('records written in one go share frames: full packs, then the rest in one', async () => {
  // A bare ROUTER counts what arrives per message (no acks: the client keeps everything unacknowledged).
  const router = new zmq.Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:0');
  const client = new BridgeClient({ address: router.lastEndpoint!, closeTimeoutMs: 50, log: () => undefined });
  const envelopes = runEnvelopes('one-go', 1000);
  // Every write resolves at once (the buffer has room): the producer never gives the event loop a turn.
  for (const e of envelopes) await client.write(e);
  const perMessage: number[] = [];
  while (perMessage.reduce((a, b) => a + b, 0) < envelopes.length) {
    const [, frame] = await router.receive();
    let n = 0;
    if (isPacked(frame)) unpack(frame, () => n++);
    else n = 1;
    perMessage.push(n);
  }
  expect(perMessage).toEqual([256, 256, 256, envelopes.length - 3 * 256]);
  await client.close();
  router.close();
});
