import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEnvelope, encodeFrame, RunStore, type Envelope, type Source } from '../src/index.js';
import { everyKind } from './codec.test.js';

const root = mkdtempSync(join(tmpdir(), 'fd-recovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const quiet = { log: () => undefined };

async function seqs(source: Source): Promise<number[]> {
  const out: number[] = [];
  for await (const e of source) out.push(Number(e.seq));
  return out;
}

/**
 * A store holding every record kind, closed; returns the log's bytes, the saved index and where each record ends,
 * computed from the encoded records alone.
 */
async function referenceStore(dir: string) {
  const store = await RunStore.open(dir, quiet);
  await store.appendMany(everyKind);
  await store.close();
  const log = join(dir, 'runs/run-1.fdlog');
  const ends: number[] = [];
  for (const e of everyKind) ends.push((ends.at(-1) ?? 0) + encodeFrame(encodeEnvelope(e)).length);
  return { log, bytes: readFileSync(log), index: readFileSync(join(dir, 'index.json')), ends };
}

/** Reopens the store after replacing the log with `bytes` (the saved index then no longer matches it). */
async function reopenWith(dir: string, ref: Awaited<ReturnType<typeof referenceStore>>, bytes: Buffer) {
  for (const f of readdirSync(join(dir, 'runs'))) if (f.includes('.cut-')) rmSync(join(dir, 'runs', f));
  writeFileSync(ref.log, bytes);
  writeFileSync(join(dir, 'index.json'), ref.index);
  const messages: string[] = [];
  const store = await RunStore.open(dir, { fsync: 'never', log: (m) => messages.push(m) });
  return { store, messages };
}

describe('run store recovery', () => {
  it('recovers a log truncated at every byte offset of its last record (and of others) to exactly the complete records before the cut', async () => {
    const dir = join(root, 'truncated');
    const ref = await referenceStore(dir);
    expect(ref.bytes.length).toBe(ref.ends.at(-1));
    // Every offset of the last record and of the step record (the one with every quantity kind); every 5th elsewhere.
    const inRecord = (cut: number, i: number) => cut >= (ref.ends[i - 1] ?? 0) && cut <= ref.ends[i];
    const cuts = [...Array(ref.bytes.length + 1).keys()].filter((cut) => cut % 5 === 0 || inRecord(cut, 1) || inRecord(cut, everyKind.length - 1));
    expect(cuts.length).toBeGreaterThan(400);
    for (const cut of cuts) {
      const kept = ref.ends.filter((end) => end <= cut).length;
      const goodEnd = kept ? ref.ends[kept - 1] : 0;
      const { store, messages } = await reopenWith(dir, ref, ref.bytes.subarray(0, cut));
      expect(await seqs(store.read('run-1'))).toEqual(everyKind.slice(0, kept).map((e) => e.seq));
      expect(store.run('run-1')).toMatchObject({ records: kept, bytes: goodEnd });
      expect(store.lastSeq('run-1')).toBe(kept ? kept - 1 : undefined);
      expect(statSync(ref.log).size).toBe(goodEnd);
      if (cut === goodEnd) expect(store.recovery).toEqual([]);
      else {
        const savedTo = `runs/run-1.fdlog.cut-${goodEnd}`;
        expect(store.recovery).toEqual([{ runId: 'run-1', file: 'runs/run-1.fdlog', offset: goodEnd, bytes: cut - goodEnd, reason: 'truncated', detail: expect.any(String), savedTo }]);
        expect(readFileSync(join(dir, savedTo)).equals(ref.bytes.subarray(goodEnd, cut))).toBe(true);
        expect(messages).toContainEqual(expect.stringMatching(new RegExp(`cut ${cut - goodEnd} bytes off the end of runs/run-1.fdlog \\(run run-1\\) at offset ${goodEnd}`)));
      }
      if (cut % 20 === 0 || cut === ref.bytes.length - 1) {
        // The recovered log takes the next record where the cut was, and reopens clean.
        expect(await store.append({ ...everyKind[4], seq: kept })).toMatchObject({ status: 'appended' });
        await store.close();
        const again = await RunStore.open(dir, quiet);
        expect(again.recovery).toEqual([]);
        expect(await seqs(again.read('run-1'))).toEqual([...Array(kept + 1).keys()]);
        await again.close();
      } else await store.close();
    }
  });

  it('detects a flipped byte anywhere in the last record and cuts only that record', async () => {
    const dir = join(root, 'flipped');
    const ref = await referenceStore(dir);
    const lastStart = ref.ends.at(-2)!;
    for (let at = lastStart; at < ref.bytes.length; at++) {
      const damaged = Buffer.from(ref.bytes);
      damaged[at] ^= 0x20;
      const { store } = await reopenWith(dir, ref, damaged);
      expect(await seqs(store.read('run-1'))).toEqual([0, 1, 2, 3, 4]);
      expect(store.recovery).toHaveLength(1);
      expect(store.recovery[0]).toMatchObject({ offset: lastStart, bytes: ref.bytes.length - lastStart });
      expect(['checksum', 'truncated', 'bad_length']).toContain(store.recovery[0].reason);
      expect(readFileSync(join(dir, store.recovery[0].savedTo)).equals(damaged.subarray(lastStart))).toBe(true);
      expect(store.run('run-1')).toMatchObject({ records: 5, lastSeq: 4, status: 'active' });
      await store.close();
    }
  });

  it('keeps a damaged middle record and everything after it in the cut file, not silently dropped', async () => {
    const dir = join(root, 'middle');
    const ref = await referenceStore(dir);
    const damaged = Buffer.from(ref.bytes);
    damaged[ref.ends[1] + 2] ^= 0x01;
    const { store, messages } = await reopenWith(dir, ref, damaged);
    expect(await seqs(store.read('run-1'))).toEqual([0, 1]);
    expect(store.recovery[0]).toMatchObject({ offset: ref.ends[1], reason: 'checksum', savedTo: `runs/run-1.fdlog.cut-${ref.ends[1]}` });
    expect(readFileSync(join(dir, store.recovery[0].savedTo)).equals(damaged.subarray(ref.ends[1]))).toBe(true);
    expect(messages[0]).toMatch(/after 2 complete records: checksum, at offset \d+: checksum of the/);
    await store.close();
  });
});

/**
 * The child appends to two runs (one of 8 kB records, one of small ones) with fsync 'always', and prints
 * `runId seq` after each acknowledged append. It resumes each run after its last seq.
 */
const CHILD = `
const { RunStore } = require(${JSON.stringify(join(__dirname, '../src/store/index.ts'))});
const record = ${recordFor.toString()};
(async () => {
  const store = await RunStore.open(process.argv[1], { fsync: 'always', log: (m) => process.stderr.write(m + '\\n') });
  process.stdout.write('open\\n');
  const feed = async (runId, perBatch) => {
    for (let seq = (store.lastSeq(runId) ?? -1) + 1; ; seq += perBatch) {
      const batch = Array.from({ length: perBatch }, (_, i) => record(runId, seq + i));
      await store.appendMany(batch);
      process.stdout.write(runId + ' ' + (seq + perBatch - 1) + '\\n');
    }
  };
  feed('big', 8);
  feed('small', 200);
})();
`;

function recordFor(runId: string, seq: number): Envelope {
  const n = runId === 'big' ? 1000 : 2;
  return {
    schemaVersion: 1,
    runId,
    seq,
    timeUnixUs: seq,
    step: { step: seq, epoch: 0, loss: seq / 7, quantities: [{ name: 'BatchLoss', vector: { values: Array.from({ length: n }, (_, i) => seq + i / n) } }] },
  };
}

/** Runs the child until it has acknowledged at least `acks` appends after opening, then SIGKILLs it. */
function crashChild(dir: string, acks: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const register = join(__dirname, '../../../tools/ts-register.cjs');
    const child = spawn(process.execPath, ['-r', register, '-e', CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<string, number>();
    let seen = 0;
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [runId, seq] = line.split(' ');
        if (seq === undefined) continue;
        acked.set(runId, Number(seq));
        if (++seen === acks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`child exited with ${code}: ${stderr}`))));
  });
}

describe('run store crash', () => {
  it('keeps every acknowledged record when the writing process is killed mid-write, again and again', async () => {
    const dir = join(root, 'crash');
    for (let round = 0; round < 3; round++) {
      const acked = await crashChild(dir, 30 + 20 * round);
      expect(existsSync(join(dir, 'LOCK'))).toBe(true);
      const store = await RunStore.open(dir, quiet);
      for (const [runId, last] of acked) {
        const stored = [];
        for await (const e of store.read(runId)) stored.push(e);
        expect(stored.length).toBeGreaterThan(last);
        expect(stored.map((e) => Number(e.seq))).toEqual([...Array(stored.length).keys()]);
        for (const at of [0, last, stored.length - 1]) expect(stored[at]).toMatchObject(recordFor(runId, at) as object);
      }
      await store.close();
    }
  });
});
