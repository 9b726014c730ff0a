// Bridge ingest: sustained rate (records stored durably per second) and latency (send → stored, send → live
// subscriber; p50, p99) with 1, 10 and 50 concurrent senders, small step records and records with a 2-D histogram,
// against ZeroMQ's raw rate for the same frames (DEALER → ROUTER, no decoding, no store, no acks) in the same run.
// Senders run in a child process, the bridge (ingest + run store with fsync 'always') in this one.
//
// Run: node -r ./tools/ts-register.cjs bench/bridge-ingest.ts [--quick] [--kinds small,hist2d] [--senders 1,10,50]
//      [--no-paced] [--small-rates 5000,50000] [--hist2d-rates 250] [--no-raw] [--dir <folder on a real disk>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import * as zmq from 'zeromq';
import { quantile, RunStore, type Envelope } from '@flightdeck/core';
import { IngestServer, unpack, type IngestStore } from '../packages/bridge/src/ingest/index.js';
import type { SenderJob } from './bridge-ingest-sender.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const baseDir = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : tmpdir();
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;

/** Starts the senders; `sent` resolves (with their CPU µs) when they have handed over every record, `release()` lets them exit. */
function runSenders(job: SenderJob): { sent: Promise<number>; release(): void } {
  const child = fork(join(__dirname, 'bridge-ingest-sender.ts'), [JSON.stringify(job)], { execArgv: ['-r', join(__dirname, '..', 'tools', 'ts-register.cjs')] });
  // Resolves with the CPU time (µs) the sender process spent sending.
  const sent = new Promise<number>((resolve, reject) => {
    child.once('message', (m: { ok: boolean; error?: string; cpuUs: number }) => (m.ok ? resolve(m.cpuUs) : reject(new Error(m.error))));
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`sender process exited with ${code}`)) : undefined));
  });
  return { sent, release: () => child.connected && child.send('exit') };
}

/** The run store, timing when each envelope became durable. */
function timedStore(store: RunStore, storedLatencyMs: number[]): IngestStore {
  return {
    lastSeq: (runId) => store.lastSeq(runId),
    runs: () => store.runs(),
    appendManyEncoded: async (records) => {
      const list = [...records];
      const results = await store.appendManyEncoded(list);
      const now = nowUs();
      for (const { envelope } of list) storedLatencyMs.push((now - Number(envelope.timeUnixUs)) / 1000);
      return results;
    },
  };
}

interface Row {
  case: string;
  records: number;
  seconds: number;
  rate: number;
  stored: number[];
  live: number[];
  commits: number;
  /** CPU time per record (µs) of the bridge process (ingest, store, live subscriber) and of the sender process. */
  serverCpuUs: number;
  senderCpuUs: number;
}

async function measure(kind: SenderJob['kind'], senders: number, total: number, rate: number): Promise<Row> {
  const dir = mkdtempSync(join(baseDir, 'fd-bench-bridge-'));
  const store = await RunStore.open(dir, { fsync: 'always', log: () => undefined });
  const storedMs: number[] = [];
  const liveMs: number[] = [];
  const server = await IngestServer.start(timedStore(store, storedMs), { bind: 'tcp://127.0.0.1:0', log: () => undefined });
  const recordsPerSender = Math.ceil(total / senders);
  let received = 0;
  let last = 0;
  // Timed from the first record's send (its timestamp), so the sender process's start-up does not count.
  let firstSentUs = Infinity;
  const live = (async () => {
    for await (const e of server.subscribe() as AsyncIterable<Envelope>) {
      liveMs.push((nowUs() - Number(e.timeUnixUs)) / 1000);
      firstSentUs = Math.min(firstSentUs, Number(e.timeUnixUs));
      last = nowUs();
      if (++received === recordsPerSender * senders) break;
    }
  })();
  const cpuStart = process.cpuUsage();
  const senderProcess = runSenders({ address: server.address, senders, recordsPerSender, kind, rate, raw: false, tag: `${kind}-${senders}` });
  const senderCpu = await senderProcess.sent;
  await live;
  const { user, system } = process.cpuUsage(cpuStart);
  senderProcess.release();
  const seconds = (last - firstSentUs) / 1e6;
  const commits = server.stats().commits;
  await server.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { case: `${kind}, ${senders} sender${senders > 1 ? 's' : ''}${rate ? `, paced at ${rate}/s` : ''}`, records: received, seconds, rate: received / seconds, stored: storedMs, live: liveMs, commits, serverCpuUs: (user + system) / received, senderCpuUs: senderCpu / received };
}

async function rawZmq(kind: SenderJob['kind'], senders: number, total: number): Promise<number> {
  // The timeout only turns a lost frame into an error instead of a hang; a loaded machine starts the sender slowly.
  const router = new zmq.Router({ linger: 0, receiveHighWaterMark: 100_000, receiveTimeout: 300_000 });
  await router.bind('tcp://127.0.0.1:0');
  const recordsPerSender = Math.ceil(total / senders);
  const expected = recordsPerSender * senders;
  let n = 0;
  let start = 0;
  const senderProcess = runSenders({ address: router.lastEndpoint!, senders, recordsPerSender, kind, rate: 0, raw: true, tag: 'raw' });
  while (n < expected) {
    const [, ...frames] = await router.receive();
    if (n === 0) start = performance.now(); // from the first frame: the sender process's start-up does not count
    for (const frame of frames) unpack(frame, () => n++);
  }
  const seconds = (performance.now() - start) / 1000;
  await senderProcess.sent;
  senderProcess.release();
  router.close();
  return n / seconds;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (xs: number[], q: number) => quantile(xs, q).toFixed(1);
const cpu = (r: Row) => `${r.serverCpuUs.toFixed(1)} / ${r.senderCpuUs.toFixed(1)}`;

async function main(): Promise<void> {
  const small = quick ? 50_000 : 100_000;
  const hist = quick ? 2_000 : 5_000;
  const lines: string[] = [];
  const out = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  out('| case | records | stored/s | raw ZeroMQ/s (same frames) | × raw | commits | send→stored p50 / p99 ms | send→live p50 / p99 ms | CPU µs/record bridge / sender |');
  out('|---|---|---|---|---|---|---|---|---|');
  const list = (flag: string, all: string[]) => (args.includes(flag) ? args[args.indexOf(flag) + 1].split(',') : all);
  const kinds = list('--kinds', ['small', 'hist2d']);
  const senderCounts = list('--senders', ['1', '10', '50']).map(Number);
  for (const [kind, total] of ([['small', small], ['hist2d', hist]] as const).filter(([k]) => kinds.includes(k))) {
    for (const senders of senderCounts) {
      const raw = args.includes('--no-raw') ? NaN : await rawZmq(kind, senders, total);
      const r = await measure(kind, senders, total, 0);
      out(`| ${r.case}, flood | ${fmt(r.records)} | ${fmt(r.rate)} | ${fmt(raw)} | ${(r.rate / raw).toFixed(2)} | ${fmt(r.commits)} | ${ms(r.stored, 0.5)} / ${ms(r.stored, 0.99)} | ${ms(r.live, 0.5)} / ${ms(r.live, 0.99)} | ${cpu(r)} |`);
    }
    // Latency at steady offered loads, as a training loop sends (default: well below the flood rate).
    const rates = list(`--${kind}-rates`, [kind === 'small' ? '5000' : '250']).map(Number);
    for (const senders of args.includes('--no-paced') ? [] : senderCounts) {
      for (const paced of rates) {
        const r = await measure(kind, senders, paced * (quick ? 2 : 4), paced);
        out(`| ${r.case} | ${fmt(r.records)} | ${fmt(r.rate)} | | | ${fmt(r.commits)} | ${ms(r.stored, 0.5)} / ${ms(r.stored, 0.99)} | ${ms(r.live, 0.5)} / ${ms(r.live, 0.99)} | ${cpu(r)} |`);
      }
    }
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
