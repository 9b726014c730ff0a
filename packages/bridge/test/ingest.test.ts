import * as zmq from 'zeromq';
import { RunStatus, RunStore, decodeEnvelope, decodeServerMessage, encodeEnvelope, type Envelope, type ServerMessage } from '@flightdeck/core';
import { BridgeClient } from '../src/client/index.js';
import { IngestServer, generateCurveKeyPair, pack } from '../src/ingest/index.js';
import { runEnvelopes, waitFor } from './helpers/records.js';
import { readRun, tempDir } from './helpers/store.js';

const quiet = { log: () => undefined };

async function withServer(fn: (server: IngestServer, store: RunStore, logs: string[]) => Promise<void>, options: Parameters<typeof IngestServer.start>[1] = {}) {
  const tmp = tempDir();
  const store = await RunStore.open(tmp.dir, { fsync: 'always', log: () => undefined });
  const logs: string[] = [];
  const server = await IngestServer.start(store, { bind: 'tcp://127.0.0.1:0', log: (l) => logs.push(l), ...options });
  try {
    await fn(server, store, logs);
  } finally {
    await server.close();
    await store.close();
    tmp.remove();
  }
}

async function collect(source: AsyncIterable<Envelope>, n: number): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of source) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

/** A bare DEALER that sends raw frames, to play a broken or hostile client. */
async function rawDealer(address: string, routingId: string): Promise<zmq.Dealer> {
  const d = new zmq.Dealer({ routingId, linger: 0 });
  d.connect(address);
  return d;
}

const seqs = (es: Envelope[]) => es.map((e) => Number(e.seq));

/** Every server message the dealer gets, as it arrives. */
function replies(d: zmq.Dealer): ServerMessage[] {
  const out: ServerMessage[] = [];
  void (async () => {
    for await (const [f] of d) {
      const m = decodeServerMessage(f);
      if (!(m instanceof Error)) out.push(m);
    }
  })().catch(() => undefined);
  return out;
}

/** The seqs acknowledged in `messages`, in order. */
const acked = (messages: ServerMessage[]) => messages.filter((m) => m.ack).map((m) => Number(m.ack!.seq));

function decoded(frame: Uint8Array): Envelope {
  const d = decodeEnvelope(frame);
  if (!d.ok) throw d.error;
  return d.envelope;
}

test('several trainers at once: every record stored once, in order, acknowledged, and seen live', async () => {
  await withServer(async (server, store) => {
    const runs = ['run-a', 'run-b', 'run-c'].map((id, i) => runEnvelopes(id, 300 + 50 * i));
    const total = runs.reduce((n, r) => n + r.length, 0);
    const live = collect(server.subscribe(), total);
    const clients = runs.map(() => new BridgeClient({ address: server.address, maxUnacked: 64, ...quiet }));
    await Promise.all(runs.map(async (envs, i) => {
      for (const e of envs) await clients[i].write(e);
      await clients[i].close();
    }));
    for (const [i, envs] of runs.entries()) {
      expect(clients[i].report()).toMatchObject({ sent: envs.length, acknowledged: envs.length, dropped: 0, unacknowledged: 0 });
      const stored = await readRun(store, envs[0].runId!);
      expect(seqs(stored)).toEqual(seqs(envs));
      expect(stored[5]).toEqual(envs[5]);
    }
    const seen = await live;
    for (const envs of runs) expect(seqs(seen.filter((e) => e.runId === envs[0].runId))).toEqual(seqs(envs));
    const stats = server.stats();
    expect(stats.accepted).toBe(total);
    expect(stats.rejected).toBe(0);
    expect(Object.keys(stats.senders)).toHaveLength(3);
    expect(stats.runs['run-b']).toMatchObject({ finished: true, lastSeq: runs[1].length - 1, gaps: [] });
  });
});

test('resent records are dropped as duplicates and acknowledged again; out-of-order records are put in order', async () => {
  await withServer(async (server, store) => {
    const envs = runEnvelopes('dup-run', 6);
    const frames = envs.map((e) => Buffer.from(encodeEnvelope(e)));
    const d = await rawDealer(server.address, 'raw-dup');
    const received = replies(d);
    await d.send([frames[0], frames[2], frames[1], frames[1], frames[0]]);
    await waitFor(() => store.lastSeq('dup-run') === 2, 5000, 'seq 2 stored');
    await d.send(frames.slice(3));
    await waitFor(() => store.lastSeq('dup-run') === envs.length - 1, 5000, 'all stored');
    await server.drain(); // lastSeq counts queued appends; drain waits until they are written
    await waitFor(() => acked(received).includes(envs.length - 1), 5000, 'final ack');
    expect(seqs(await readRun(store, 'dup-run'))).toEqual(seqs(envs));
    expect(server.stats().duplicates).toBe(2);
    expect(server.stats().runs['dup-run'].duplicates).toBe(2);
    d.close();
  });
});

// After a restart a client's first resends are often all records the server already had: a batch of duplicates alone
// needs no store write, and the ingest must still take the records that follow (it once stopped storing there).
test('a message of duplicates alone is acknowledged and the records after it are still stored', async () => {
  await withServer(async (server, store) => {
    const envs = runEnvelopes('dup-alone', 6);
    const frames = envs.map((e) => Buffer.from(encodeEnvelope(e)));
    const d = await rawDealer(server.address, 'raw-dup-alone');
    const received = replies(d);
    await d.send(frames.slice(0, 3));
    await waitFor(() => acked(received).includes(2), 5000, 'ack of seq 2');
    await d.send([frames[1], frames[2]]);
    await waitFor(() => acked(received).length >= 2 && acked(received).at(-1) === 2 && server.stats().duplicates === 2, 5000, 'the duplicates acknowledged again');
    await d.send(frames.slice(3));
    await waitFor(() => acked(received).includes(envs.length - 1), 5000, 'ack of the records after the duplicates');
    expect(seqs(await readRun(store, 'dup-alone'))).toEqual(seqs(envs));
    d.close();
  });
});

test('packed frames: every envelope in them is stored; a damaged rest is refused, the envelopes before it kept', async () => {
  await withServer(async (server, store, logs) => {
    const envs = runEnvelopes('packed-run', 7); // seqs 0..8
    const frames = envs.map((e) => encodeEnvelope(e));
    const d = await rawDealer(server.address, 'raw-packed');
    const received = replies(d);
    // Old and new side by side: one plain envelope frame, then a pack, then a pack whose last envelope is cut short.
    const damaged = pack(frames.slice(6, 9));
    await d.send([Buffer.from(frames[0]), pack(frames.slice(1, 6)), damaged.subarray(0, damaged.length - 3)]);
    await waitFor(() => received.some((r) => r.ack?.seq === 7) && received.some((r) => r.reject), 5000, 'the ack of seq 7 and a reject');
    expect(received.find((r) => r.reject)?.reject).toMatchObject({ code: 'malformed', message: expect.stringMatching(/packed frame: envelope 2 at byte \d+ needs \d+ bytes/) });
    d.send(Buffer.from(frames[8]));
    await waitFor(() => received.some((r) => r.ack?.seq === 8), 5000, 'the ack of seq 8');
    expect(await readRun(store, 'packed-run')).toEqual(frames.map((f) => decoded(f)));
    expect(server.stats().senders['raw-packed']).toMatchObject({ accepted: 9, rejected: { malformed: 1 } });
    expect(logs.join('\n')).toMatch(/sender raw-packed .*packed frame: envelope 2/);
    d.close();
  });
});

test('a hole that is never filled is accepted after the gap timeout and reported', async () => {
  await withServer(
    async (server, store, logs) => {
      const envs = runEnvelopes('gap-run', 5);
      const d = await rawDealer(server.address, 'raw-gap');
      await d.send([0, 1, 2, 4, 5].map((i) => Buffer.from(encodeEnvelope(envs[i]))));
      await waitFor(() => store.lastSeq('gap-run') === 5, 5000, 'records after the gap');
      await server.drain();
      expect(seqs(await readRun(store, 'gap-run'))).toEqual([0, 1, 2, 4, 5]);
      expect(server.stats().runs['gap-run'].gaps).toEqual([{ runId: 'gap-run', from: 3, to: 3 }]);
      expect(logs.join('\n')).toMatch(/run gap-run: seq 3\.\.3 never arrived/);
      d.close();
    },
    { gapTimeoutMs: 300 },
  );
});

test('bad frames are rejected with a reason, counted per sender, and the server keeps going', async () => {
  await withServer(async (server, store, logs) => {
    const good = runEnvelopes('good-run', 3);
    const bad = await rawDealer(server.address, 'bad-sender');
    const replies: string[] = [];
    void (async () => {
      for await (const [f] of bad) {
        const m = decodeServerMessage(f);
        if (!(m instanceof Error) && m.reject) replies.push(`${m.reject.code}:${m.reject.seq ?? ''}`);
      }
    })().catch(() => undefined);
    const nanHist = { ...good[1], runId: 'bad-run', seq: 1, step: { step: 0, quantities: [{ name: 'GradHist1d', histogram1d: { edges: [0, NaN], counts: [1] } }] } };
    const { schema } = await import('@flightdeck/core');
    await bad.send([
      Buffer.from([0xff, 0xff, 0xff]),
      Buffer.from(schema.Envelope.encode({ ...good[0], schemaVersion: 7 }).finish()),
      Buffer.from(schema.Envelope.encode(nanHist).finish()),
    ]);
    const client = new BridgeClient({ address: server.address, ...quiet });
    for (const e of good) await client.write(e);
    await client.close();
    await waitFor(() => replies.length === 3, 5000, 'three rejects');
    expect(replies.sort()).toEqual(['malformed:', 'non_finite:1', 'unknown_version:0']);
    expect(server.stats().senders['bad-sender'].rejected).toEqual({ malformed: 1, unknown_version: 1, non_finite: 1 });
    expect(logs.some((l) => /bad-sender.*non_finite at step\.quantities\[0\]\(GradHist1d\)\.histogram1d\.edges\[1\].*run bad-run, seq 1/.test(l))).toBe(true);
    expect(seqs(await readRun(store, 'good-run'))).toEqual([0, 1, 2, 3, 4]);
    expect(store.lastSeq('bad-run')).toBeUndefined();
    bad.close();
  });
});

test('a run that falls silent without RunFinished is marked interrupted, stored and fanned out', async () => {
  await withServer(
    async (server, store) => {
      const envs = runEnvelopes('silent-run', 3).slice(0, 3);
      const live = collect(server.subscribe(), 4);
      const client = new BridgeClient({ address: server.address, ...quiet });
      for (const e of envs) await client.write(e);
      await client.flush();
      const seen = await live;
      expect(seen[3].runFinished).toMatchObject({ status: RunStatus.INTERRUPTED, lastStep: 1 });
      const stored = await readRun(store, 'silent-run');
      expect(seqs(stored)).toEqual([0, 1, 2, 3]);
      expect(store.run('silent-run')?.status).toBe('interrupted');
      expect(server.stats().runs['silent-run'].interrupted).toBe(true);
      // The producer was only paused: it goes on with seq 3 (taken by the mark) and 4, 5.
      const more = runEnvelopes('silent-run', 6).slice(3, 6);
      for (const e of more) await client.write(e);
      await client.flush();
      const report = client.report();
      expect(report.acknowledged).toBe(5);
      expect(report.rejected).toHaveLength(1);
      expect(report.rejected[0]).toMatchObject({ runId: 'silent-run', seq: 3 });
      expect(report.rejected[0].message).toMatch(/marked interrupted after a silence and the mark took seq 3; this record could not be stored/);
      const after = await readRun(store, 'silent-run');
      expect(seqs(after)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(after[4].step).toEqual(more[1].step);
      expect(store.run('silent-run')?.status).toBe('active');
      expect(server.stats().runs['silent-run'].interrupted).toBe(false);
      await client.close();
    },
    { silenceMs: 300 },
  );
});

test('a mark stored by an earlier server is known after a restart', async () => {
  const tmp = tempDir();
  const open = () => RunStore.open(tmp.dir, { fsync: 'always', log: () => undefined });
  let store = await open();
  let server = await IngestServer.start(store, { bind: 'tcp://127.0.0.1:0', silenceMs: 200, ...quiet });
  const client = new BridgeClient({ address: server.address, ...quiet });
  for (const e of runEnvelopes('restarted', 2).slice(0, 2)) await client.write(e);
  await client.flush();
  await waitFor(() => store.run('restarted')?.status === 'interrupted');
  await client.close();
  await server.close();
  await store.close();
  store = await open();
  server = await IngestServer.start(store, { bind: 'tcp://127.0.0.1:0', ...quiet });
  const again = new BridgeClient({ address: server.address, ...quiet });
  for (const e of runEnvelopes('restarted', 4).slice(2, 4)) await again.write(e);
  await again.flush();
  expect(again.report().rejected.map((r) => Number(r.seq))).toEqual([2]);
  expect(seqs(await readRun(store, 'restarted'))).toEqual([0, 1, 2, 3]);
  expect((await readRun(store, 'restarted'))[2].runFinished?.status).toBe(RunStatus.INTERRUPTED);
  await again.close();
  await server.close();
  await store.close();
  tmp.remove();
});

test('binding beyond loopback needs --public and CurveZMQ keys', async () => {
  const tmp = tempDir();
  const store = await RunStore.open(tmp.dir, { log: () => undefined });
  await expect(IngestServer.start(store, { bind: 'tcp://0.0.0.0:0' })).rejects.toThrow(/not loopback: pass --public/);
  await expect(IngestServer.start(store, { bind: 'tcp://0.0.0.0:0', public: true })).rejects.toThrow(/CurveZMQ keys are required/);
  await expect(IngestServer.start(store, { bind: 'udp://x' })).rejects.toThrow(/expected tcp:\/\/host:port/);
  await store.close();
  tmp.remove();
});

test('with CurveZMQ only clients with an allowed key get anything in', async () => {
  const serverKeys = generateCurveKeyPair();
  const allowed = generateCurveKeyPair();
  const stranger = generateCurveKeyPair();
  await withServer(
    async (server, store, logs) => {
      const curve = (keys: typeof allowed) => ({ serverPublicKey: serverKeys.publicKey, ...keys });
      const clientLogs: string[] = [];
      const intruder = new BridgeClient({ address: server.address, curve: curve(stranger), closeTimeoutMs: 500, log: (l) => clientLogs.push(l) });
      const plain = new BridgeClient({ address: server.address, closeTimeoutMs: 500, ...quiet });
      const friend = new BridgeClient({ address: server.address, curve: curve(allowed), ...quiet });
      for (const e of runEnvelopes('intruder-run', 3)) await intruder.write(e);
      for (const e of runEnvelopes('plain-run', 3)) await plain.write(e);
      for (const e of runEnvelopes('friend-run', 3)) await friend.write(e);
      // The refused client is told, instead of waiting for acks that never come; its records stay buffered.
      await expect(intruder.flush()).rejects.toThrow(`the server at ${server.address} refused this client's CurveZMQ key`);
      expect(clientLogs.filter((l) => l.includes('refused this client')).length).toBe(1);
      await friend.close();
      await intruder.close();
      await plain.close();
      expect(seqs(await readRun(store, 'friend-run'))).toEqual([0, 1, 2, 3, 4]);
      expect(store.runs().map((r) => r.runId)).toEqual(['friend-run']);
      expect(intruder.report().acknowledged).toBe(0);
      expect(plain.report().acknowledged).toBe(0);
      expect(logs.some((l) => l.includes(`refused a CURVE client with key ${stranger.publicKey}`))).toBe(true);
    },
    { curve: { ...serverKeys, allowedClientKeys: [allowed.publicKey] } },
  );
});
