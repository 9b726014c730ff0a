// Run store throughput: small step records appended by one sender with fsync 'always' (group commit), against the
// raw fs.writeSync rate of the same framed bytes in the same process.
// Run: node -r ./tools/ts-register.cjs bench/store.ts [records] [folder]   (default 200000, os.tmpdir())
// The folder must be on a real disk: on tmpfs fsync costs nothing and the durable numbers mean nothing.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEnvelope } from '../packages/core/src/codec/codec.js';
import { encodeFrames } from '../packages/core/src/framing/index.js';
import type { Envelope } from '../packages/core/src/schema/index.js';
import { RunStore, type FsyncPolicy } from '../packages/core/src/store/index.js';

const records = Number(process.argv[2] ?? 200_000);
const base = fs.mkdtempSync(join(process.argv[3] ?? tmpdir(), 'fd-bench-store-'));

/** A small step record as a training loop sends it each step: loss plus two scalar quantities. */
function step(seq: number): Envelope {
  return {
    schemaVersion: 1,
    runId: 'bench',
    seq,
    timeUnixUs: 1_700_000_000_000_000 + seq * 1000,
    step: { step: seq, epoch: seq >> 10, loss: 2.3 / (1 + seq * 1e-4), quantities: [{ name: 'GradNorm', scalar: 0.5 + (seq % 7) }, { name: 'Alpha', scalar: -0.1 }] },
  };
}

const envelopes = Array.from({ length: records }, (_, i) => step(i));

interface Result {
  name: string;
  seconds: number;
  fsyncs: number;
  writes: number;
}

function rate(r: Result): string {
  return `${Math.round(records / r.seconds).toLocaleString('en-US')} records/s`;
}

/** One sender calling append() per record, never more than `window` unacknowledged (as the bridge does). */
async function storeAppend(policy: FsyncPolicy, window: number): Promise<Result> {
  const dir = fs.mkdtempSync(join(base, `append-${policy}-${window}-`));
  const store = await RunStore.open(dir, { fsync: policy });
  const start = process.hrtime.bigint();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < records; i++) {
    inFlight.push(store.append(envelopes[i]));
    if (inFlight.length >= window) await inFlight.splice(0, window >> 1).at(-1);
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { fsyncs, writes } = store.stats();
  await store.close();
  return { name: `RunStore.append, fsync ${policy}, up to ${window} in flight`, seconds, fsyncs, writes };
}

/** One sender calling appendMany() with `batch` records and waiting for each (the bridge's group commit). */
async function storeAppendMany(batch: number): Promise<Result> {
  const store = await RunStore.open(fs.mkdtempSync(join(base, `many-${batch}-`)), { fsync: 'always' });
  const start = process.hrtime.bigint();
  for (let i = 0; i < records; i += batch) await store.appendMany(envelopes.slice(i, i + batch));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const { fsyncs, writes } = store.stats();
  await store.close();
  return { name: `RunStore.appendMany of ${batch}, fsync always`, seconds, fsyncs, writes };
}

/** The same framed bytes written with fs.writeSync in `writes` pieces, with an fdatasync after each if asked. */
function raw(bytes: Buffer, writes: number, sync: boolean): Result {
  const fd = fs.openSync(join(base, `raw-${writes}-${sync}`), 'w');
  const piece = Math.ceil(bytes.length / writes);
  const start = process.hrtime.bigint();
  let n = 0;
  for (let at = 0; at < bytes.length; at += piece, n++) {
    fs.writeSync(fd, bytes, at, Math.min(piece, bytes.length - at));
    if (sync) fs.fdatasyncSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.closeSync(fd);
  return { name: `raw fs.writeSync of the same bytes in ${n} writes${sync ? ', fdatasync after each' : ''}`, seconds, fsyncs: sync ? n : 0, writes: n };
}

/** Runs a measurement `repeats` times and keeps the median time (the machine is shared; timings vary). */
async function median(repeats: number, measure: () => Result | Promise<Result>): Promise<Result> {
  const runs: Result[] = [];
  for (let i = 0; i < repeats; i++) runs.push(await measure());
  return runs.sort((a, b) => a.seconds - b.seconds)[repeats >> 1];
}

function encodeOnly(): Result {
  const start = process.hrtime.bigint();
  encodeFrames(envelopes.map((e) => encodeEnvelope(e)));
  return { name: 'validate + encode + frame only (no I/O, no store)', seconds: Number(process.hrtime.bigint() - start) / 1e9, fsyncs: 0, writes: 0 };
}

async function main(): Promise<void> {
  const repeats = 3;
  const bytes = encodeFrames(envelopes.map((e) => encodeEnvelope(e)));
  console.log(`${records} step records, ${(bytes.length / records).toFixed(1)} bytes each on disk, in ${base}; median of ${repeats} runs`);
  raw(bytes, 100, false); // warm-up: file creation and page-cache allocation, not counted
  const always = await median(repeats, () => storeAppend('always', 10_000));
  const stores = [
    always,
    await median(repeats, () => storeAppend('always', 100)),
    await median(repeats, () => storeAppendMany(1000)),
    await median(repeats, () => storeAppend('never', 10_000)),
    await median(repeats, encodeOnly),
  ];
  const baseline = await median(repeats, () => raw(bytes, always.fsyncs, true));
  const results = [...stores, baseline, await median(repeats, () => raw(bytes, always.writes, false))];
  console.log(`baseline: ${baseline.name} (the I/O of the first row without the store)`);
  for (const r of results) {
    const ratio = (baseline.seconds / r.seconds).toFixed(3);
    console.log(`${r.name.padEnd(78)} ${rate(r).padStart(20)} ${String(r.writes).padStart(6)} writes ${String(r.fsyncs).padStart(6)} fsyncs  ×${ratio} of baseline`);
  }
  const target = 100_000;
  console.log(`durable one-sender rate (append, fsync always): ${rate(always)}; target ${target.toLocaleString('en-US')}: ${records / always.seconds >= target ? 'met' : 'NOT met'}`);
  fs.rmSync(base, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
