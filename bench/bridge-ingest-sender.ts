// The sending side of bench/bridge-ingest.ts, run as a child process (its own core): `senders` BridgeClients
// (one run each) or, for the baseline, raw DEALER sockets sending the same encoded frames without acks.
import * as zmq from 'zeromq';
import { SCHEMA_VERSION, encodeEnvelope, type Envelope } from '@flightdeck/core';
import { BridgeClient } from '../packages/bridge/src/client/index.js';
import { MAX_PACKED_BYTES, pack } from '../packages/bridge/src/ingest/index.js';

export interface SenderJob {
  address: string;
  senders: number;
  recordsPerSender: number;
  kind: 'small' | 'hist2d';
  /** Records per second over all senders; 0 = as fast as possible. */
  rate: number;
  raw: boolean;
  tag: string;
}

const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

const HIST = {
  xEdges: Array.from({ length: 41 }, (_, i) => -1 + i / 20),
  yEdges: Array.from({ length: 51 }, (_, i) => -2 + (4 * i) / 50),
  counts: Array.from({ length: 40 * 50 }, (_, i) => (i * 7919) % 97),
};

function record(kind: SenderJob['kind'], runId: string, seq: number): Envelope {
  const base = { schemaVersion: SCHEMA_VERSION, runId, seq, timeUnixUs: nowUs() };
  if (seq === 0) return { ...base, runStarted: { testProblem: 'bench', optimizer: 'SGD' } };
  const quantities =
    kind === 'small'
      ? [{ name: 'Alpha', scalar: 0.25 }, { name: 'NormTest', scalar: 1.5 }]
      : [{ name: 'GradHist2d', histogram2d: HIST }];
  return { ...base, step: { step: seq - 1, epoch: 0, loss: 1 / seq, quantities } };
}

async function pace(sent: number, start: number, rate: number): Promise<void> {
  if (rate <= 0) return;
  const due = start + (sent / rate) * 1000;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
}

async function runClient(job: SenderJob, i: number): Promise<void> {
  const runId = `${job.tag}-${i}`;
  const perSenderRate = job.rate / job.senders;
  const start = performance.now();
  if (job.raw) {
    // ZeroMQ's own rate: frames encoded beforehand (a pool cycled through), sent packed as the client packs them,
    // no acks.
    const size = encodeEnvelope(record(job.kind, runId, 1)).length;
    // As many as the client puts in one pack (at most 256 and MAX_PACKED_BYTES).
    const batch = Math.max(1, Math.min(256, Math.floor(MAX_PACKED_BYTES / (size + 5))));
    const pool = Array.from({ length: batch }, (_, k) => encodeEnvelope(record(job.kind, runId, k + 1)));
    const packed = pack(pool);
    // linger -1: queued frames still go out after close (the receiver counts every one).
    const d = new zmq.Dealer({ linger: -1, sendHighWaterMark: 100_000 });
    d.connect(job.address);
    for (let sent = 0; sent < job.recordsPerSender; ) {
      const n = Math.min(batch, job.recordsPerSender - sent);
      await d.send(n === batch ? packed : pack(pool.slice(0, n)));
      sent += n;
    }
    d.close();
    return;
  }
  const client = new BridgeClient({ address: job.address, maxUnacked: 10_000, closeTimeoutMs: 600_000, log: () => undefined });
  // Paced about once a millisecond (a slow sender's records are spread out, not sent in bursts of 64).
  const paceEvery = Math.max(1, Math.min(64, Math.floor(perSenderRate / 1000)));
  for (let seq = 0; seq < job.recordsPerSender; seq++) {
    await client.write(record(job.kind, runId, seq));
    if (seq % paceEvery === 0) await pace(seq, start, perSenderRate);
  }
  await client.close();
  const r = client.report();
  if (r.acknowledged !== job.recordsPerSender || r.dropped) throw new Error(`sender ${runId}: ${JSON.stringify(r)}`);
}

const job = JSON.parse(process.argv[2]) as SenderJob;
// Raw frames may still be queued in ZeroMQ when the sends return: the process stays until the receiver has counted
// them all and says so.
process.on('message', () => process.exit(0));
const cpuStart = process.cpuUsage();
Promise.all(Array.from({ length: job.senders }, (_, i) => runClient(job, i))).then(
  () => {
    const { user, system } = process.cpuUsage(cpuStart);
    process.send!({ ok: true, cpuUs: user + system });
  },
  (e) => process.send!({ ok: false, error: String(e) }, () => process.exit(1)),
);
