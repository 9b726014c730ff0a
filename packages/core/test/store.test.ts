import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  encodeEnvelope,
  encodeFrame,
  EnvelopeError,
  RunStatus,
  RunStore,
  RunStream,
  StoreError,
  StoreSink,
  type Envelope,
  type RunStoreOptions,
  type Source,
} from '../src/index.js';
import { everyKind } from './codec.test.js';

const root = mkdtempSync(join(tmpdir(), 'fd-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `s${n++}`);

/** Opens a store whose messages are collected instead of printed. */
async function open(dir: string, options: RunStoreOptions = {}) {
  const messages: string[] = [];
  const store = await RunStore.open(dir, { log: (m) => messages.push(m), ...options });
  return { store, messages };
}

async function all(source: Source): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of source) out.push(e);
  return out;
}

/** Typed arrays as plain arrays and NaN as a string, so that envelopes compare by content. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function step(runId: string, seq: number, extra: Partial<Envelope> = {}): Envelope {
  return { schemaVersion: 1, runId, seq, timeUnixUs: 1_000 + seq, step: { step: seq, epoch: 0, loss: 1 / (seq + 1) }, ...extra };
}

describe('run store', () => {
  it('reads back every record kind as an async iterable, before and after reopening', async () => {
    const dir = freshDir();
    const { store } = await open(dir);
    const results = await store.appendMany(everyKind);
    expect(results.map((r) => r.status)).toEqual(everyKind.map(() => 'appended'));
    const expectEqual = (got: Envelope[]) => {
      expect(got).toHaveLength(everyKind.length);
      got.forEach((e, i) => expect(plain(e)).toMatchObject(plain(everyKind[i]) as object));
    };
    expectEqual(await all(store.read('run-1')));
    await store.close();
    const again = await open(dir);
    expectEqual(await all(again.store.read('run-1')));
    expect(again.messages).toEqual([]);
    await again.store.close();
  });

  it('indexes each run from its records', async () => {
    const { store } = await open(freshDir());
    await store.appendMany(everyKind);
    await store.appendMany([
      { ...everyKind[0], runId: 'run-2' },
      { ...step('run-2', 1), timeUnixUs: 5_000 },
      { schemaVersion: 1, runId: 'run-2', seq: 2, timeUnixUs: 6_000, runFinished: { status: RunStatus.FAILED, message: 'out of memory' } },
      step('run-3', 0),
      { schemaVersion: 1, runId: 'run-3', seq: 1, timeUnixUs: 2_000, runFinished: { status: RunStatus.COMPLETED } },
      step('run-4', 0),
    ]);
    const runs = store.runs();
    expect(runs.map((r) => [r.runId, r.status, r.records, r.lastSeq])).toEqual([
      ['run-1', 'diverged', 6, 5],
      ['run-2', 'failed', 3, 2],
      ['run-3', 'finished', 2, 1],
      ['run-4', 'active', 1, 0],
    ]);
    expect(runs[0]).toMatchObject({
      file: 'runs/run-1.fdlog',
      testProblem: 'cifar10_3c3d',
      optimizer: 'MomentumOptimizer',
      message: 'loss NaN at step 400',
      firstTimeUnixUs: 1_700_000_000_000_000,
      lastTimeUnixUs: 1_700_000_000_000_000,
      lastStep: 400,
      gaps: 0,
    });
    expect(runs[1]).toMatchObject({ testProblem: 'cifar10_3c3d', message: 'out of memory', firstTimeUnixUs: 1_700_000_000_000_000, lastTimeUnixUs: 1_700_000_000_000_000 });
    expect(runs[0].bytes).toBe(everyKind.reduce((s, e) => s + encodeFrame(encodeEnvelope(e)).length, 0));
    await store.close();
  });

  it('refuses duplicates, stores gaps and reports both, also across a reopen', async () => {
    const dir = freshDir();
    const { store } = await open(dir);
    expect(store.lastSeq('r')).toBeUndefined();
    expect(await store.appendMany([step('r', 0), step('r', 1), step('r', 2)])).toEqual([0, 1, 2].map((seq) => ({ status: 'appended', runId: 'r', seq })));
    expect(await store.append(step('r', 1))).toEqual({ status: 'duplicate', runId: 'r', seq: 1, lastSeq: 2 });
    expect(await store.append(step('r', 2))).toEqual({ status: 'duplicate', runId: 'r', seq: 2, lastSeq: 2 });
    expect(await store.append(step('r', 5))).toEqual({ status: 'gap', runId: 'r', seq: 5, expected: 3 });
    expect((await store.appendMany([step('r', 6), step('r', 6)])).map((r) => r.status)).toEqual(['appended', 'duplicate']);
    expect(await store.append(step('late', 3))).toEqual({ status: 'gap', runId: 'late', seq: 3, expected: 0 });
    expect(store.lastSeq('r')).toBe(6);
    await store.close();

    const again = await open(dir);
    expect(again.store.lastSeq('r')).toBe(6);
    expect(again.store.run('r')).toMatchObject({ records: 5, gaps: 1 });
    expect(await again.store.append(step('r', 6))).toMatchObject({ status: 'duplicate', lastSeq: 6 });
    expect(await again.store.append(step('r', 7))).toMatchObject({ status: 'appended' });
    expect((await all(again.store.read('r'))).map((e) => e.seq)).toEqual([0, 1, 2, 5, 6, 7]);
    await again.store.close();
  });

  it('stores already encoded envelopes exactly as append does: same results, index, log bytes and records', async () => {
    // The same sequence through both paths, with duplicates (in a batch and across batches) and gaps.
    const batches: Envelope[][] = [everyKind, [step('r', 0), step('r', 1), step('r', 2)], [step('r', 1)], [step('r', 2)], [step('r', 5)], [step('r', 6), step('r', 6)], [step('late', 3)]];
    const plainDir = freshDir();
    const encodedDir = freshDir();
    const viaAppend = (await open(plainDir)).store;
    const viaEncoded = (await open(encodedDir)).store;
    for (const batch of batches) {
      const expected = await viaAppend.appendMany(batch);
      const got =
        batch.length === 1
          ? [await viaEncoded.appendEncoded(batch[0], encodeEnvelope(batch[0]))]
          : await viaEncoded.appendManyEncoded(batch.map((envelope) => ({ envelope, bytes: encodeEnvelope(envelope) })));
      expect(got).toEqual(expected);
    }
    expect(viaEncoded.runs()).toEqual(viaAppend.runs());
    expect(viaEncoded.run('r')).toMatchObject({ records: 5, gaps: 1, lastSeq: 6 });
    for (const runId of ['run-1', 'r', 'late']) {
      expect(plain(await all(viaEncoded.read(runId)))).toEqual(plain(await all(viaAppend.read(runId))));
    }
    await viaAppend.close();
    await viaEncoded.close();
    for (const file of ['runs/run-1.fdlog', 'runs/r.fdlog', 'runs/late.fdlog']) {
      expect(readFileSync(join(encodedDir, file)).equals(readFileSync(join(plainDir, file)))).toBe(true);
    }
  });

  it('frames the given bytes as they are instead of encoding the envelope again', async () => {
    const { store } = await open(freshDir());
    const envelope = step('r', 0);
    // Field 1000 = 42 (varint tag 0xc0 0x3e), unknown to the schema: decoders skip it, and only bytes stored as
    // given still hold it.
    const bytes = Buffer.concat([encodeEnvelope(envelope), Buffer.from([0xc0, 0x3e, 0x2a])]);
    expect(await store.appendEncoded(envelope, bytes)).toEqual({ status: 'appended', runId: 'r', seq: 0 });
    expect(store.run('r')?.bytes).toBe(encodeFrame(bytes).length);
    const stored = await all(store.read('r'));
    expect(stored).toHaveLength(1);
    expect(plain(stored[0])).toMatchObject(plain(envelope) as object);
    await store.close();
  });

  it('refuses an invalid envelope with the codec error and writes nothing', async () => {
    const { store } = await open(freshDir());
    const bad = await store.append({ ...step('r', 0), step: { step: 0, quantities: [{ name: 'H', histogram1d: { edges: [1, 0], counts: [1] } }] } });
    expect(bad.status).toBe('invalid');
    expect(bad.status === 'invalid' && bad.error).toBeInstanceOf(EnvelopeError);
    expect(bad.status === 'invalid' && bad.error.path).toBe('step.quantities[0](H).histogram1d.edges[1]');
    expect(store.runs()).toEqual([]);
    const tooBig = await (await open(freshDir(), { limits: { maxEnvelopeBytes: 50, maxCheckpointBytes: 50, maxQuantitiesPerStep: 10, maxRunIdLength: 20 } })).store.append({
      ...step('r', 0),
      step: { step: 0, quantities: [{ name: 'V', vector: { values: new Array(20).fill(1) } }] },
    });
    expect(tooBig.status === 'invalid' && tooBig.error.code).toBe('oversize');
    await store.close();
  });

  it('commits a burst of appends as one write and one fsync per run', async () => {
    const { store } = await open(freshDir(), { fsync: 'always' });
    const pending = [];
    for (let seq = 0; seq < 2000; seq++) pending.push(store.append(step('a', seq)), store.append(step('b', seq)));
    const results = await Promise.all(pending);
    expect(results.every((r) => r.status === 'appended')).toBe(true);
    expect(store.stats()).toEqual({ records: 4000, writes: 2, fsyncs: 2 });
    expect((await all(store.read('b'))).map((e) => e.seq)).toEqual([...Array(2000).keys()]);
    await store.close();
  });

  it.each(['interval', 'never'] as const)('keeps every record under the %s policy, and sync() forces them to disk', async (fsync) => {
    const dir = freshDir();
    const { store } = await open(dir, { fsync, fsyncIntervalMs: 60_000 });
    await Promise.all([0, 1, 2].map((seq) => store.append(step('r', seq))));
    expect(store.stats().fsyncs).toBe(0);
    await store.sync();
    expect(store.stats().fsyncs).toBe(1);
    await store.close();
    const again = await open(dir);
    expect((await all(again.store.read('r'))).map((e) => e.seq)).toEqual([0, 1, 2]);
    await again.store.close();
  });

  it('syncs in the background under the interval policy', async () => {
    const { store } = await open(freshDir(), { fsync: 'interval', fsyncIntervalMs: 5 });
    await store.append(step('r', 0));
    for (let waited = 0; store.stats().fsyncs === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(store.stats()).toMatchObject({ records: 1, writes: 1, fsyncs: 1 });
    await store.close();
  });

  it('marks an active run interrupted with a RunFinished record at its next seq', async () => {
    const { store } = await open(freshDir());
    await store.appendMany([step('r', 0), step('r', 1), { schemaVersion: 1, runId: 'done', seq: 0, timeUnixUs: 1, runFinished: { status: RunStatus.COMPLETED } }]);
    expect(await store.markInterrupted('r', 'no heartbeat for 60 s')).toEqual({ status: 'appended', runId: 'r', seq: 2 });
    expect(store.run('r')).toMatchObject({ status: 'interrupted', message: 'no heartbeat for 60 s', lastSeq: 2 });
    const last = (await all(store.read('r')))[2];
    expect(last.runFinished).toMatchObject({ status: RunStatus.INTERRUPTED, message: 'no heartbeat for 60 s', lastStep: 1, lastEpoch: 0 });
    expect(await store.markInterrupted('r', 'again')).toBeUndefined();
    // A late record of an ended run (whose file the store closed) still goes to the end of its log.
    expect(await store.append({ schemaVersion: 1, runId: 'r', seq: 3, timeUnixUs: 9, evaluation: { epoch: 1, testLoss: 0.5 } })).toMatchObject({ status: 'appended' });
    expect((await all(store.read('r'))).map((e) => e.seq)).toEqual([0, 1, 2, 3]);
    expect(await store.markInterrupted('done', 'x')).toBeUndefined();
    await expect(store.markInterrupted('nope', 'x')).rejects.toThrow(StoreError);
    await store.close();
  });

  it('names the run, the file and the offset when a stored record was damaged after opening', async () => {
    const dir = freshDir();
    const { store } = await open(dir);
    await store.appendMany([0, 1, 2].map((seq) => step('r', seq)));
    const path = join(dir, 'runs/r.fdlog');
    const bytes = readFileSync(path);
    const second = encodeFrame(encodeEnvelope(step('r', 0))).length;
    bytes[second + 3] ^= 0x40;
    writeFileSync(path, bytes);
    const seen: number[] = [];
    const error = await (async () => {
      try {
        for await (const e of store.read('r')) seen.push(Number(e.seq));
      } catch (e) {
        return e as StoreError;
      }
    })();
    expect(seen).toEqual([0]);
    expect(error).toBeInstanceOf(StoreError);
    expect(error!.where).toEqual({ runId: 'r', file: 'runs/r.fdlog', offset: second });
    expect(error!.message).toMatch(/checksum.*\(run r, file runs\/r\.fdlog, offset \d+\)$/);
    expect(() => store.read('nope')).toThrow(/no such run in the store \(run nope, file runs\/nope\.fdlog\)/);
    await store.close();
  });

  it('takes no more records for a run whose log cannot be written, and the other runs go on', async () => {
    const dir = freshDir();
    const { store } = await open(dir);
    await store.append(step('ok', 0));
    mkdirSync(join(dir, 'runs/bad.fdlog'));
    const failed = await store.append(step('bad', 0)).catch((e) => e as StoreError);
    expect(failed).toBeInstanceOf(StoreError);
    expect((failed as StoreError).code).toBe('broken');
    expect((failed as StoreError).where).toEqual({ runId: 'bad', file: 'runs/bad.fdlog', offset: 0 });
    await expect(store.append(step('bad', 1))).rejects.toBe(failed);
    expect(await store.append(step('ok', 1))).toMatchObject({ status: 'appended' });

    writeFileSync(join(dir, 'runs/changed.fdlog'), 'x');
    const changed = await store.append(step('changed', 0)).catch((e) => e as StoreError);
    expect(changed).toMatchObject({ code: 'corrupt', where: { runId: 'changed', file: 'runs/changed.fdlog', offset: 1 } });
    await store.close();
  });

  it('refuses appends after close', async () => {
    const { store } = await open(freshDir());
    await store.close();
    await expect(store.append(step('r', 0))).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('run store index', () => {
  async function storeWithRuns(dir: string) {
    const { store } = await open(dir);
    await store.appendMany([...everyKind, step('other', 0), step('other', 1)]);
    const runs = store.runs();
    await store.close();
    return runs;
  }

  it.each([
    ['missing', (dir: string) => rmSync(join(dir, 'index.json'))],
    ['not JSON', (dir: string) => writeFileSync(join(dir, 'index.json'), '{"format": "flight')],
    ['of another format', (dir: string) => writeFileSync(join(dir, 'index.json'), '{"format": "x", "version": 1, "runs": []}')],
  ])('is rebuilt from the logs when it is %s', async (_what, damage) => {
    const dir = freshDir();
    const before = await storeWithRuns(dir);
    damage(dir);
    const { store, messages } = await open(dir);
    expect(store.runs()).toEqual(before);
    expect(messages).toEqual([expect.stringMatching(/index of .* is .*; rebuilding it from the logs/)]);
    await store.close();
  });

  it('is rebuilt for a log that changed since it was saved, and trusted for the others', async () => {
    const dir = freshDir();
    const before = await storeWithRuns(dir);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    index.runs.find((r: { runId: string }) => r.runId === 'run-1').testProblem = 'from the saved index';
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    appendFileSync(join(dir, 'runs/other.fdlog'), encodeFrame(encodeEnvelope(step('other', 2))));
    const { store, messages } = await open(dir);
    expect(store.run('run-1')!.testProblem).toBe('from the saved index');
    expect(before[0].runId).toBe('other');
    expect(store.run('other')).toEqual({ ...before[0], records: 3, lastSeq: 2, lastStep: 2, lastTimeUnixUs: 1_002, bytes: before[0].bytes + encodeFrame(encodeEnvelope(step('other', 2))).length });
    expect(messages).toEqual([expect.stringMatching(/stale for 1 run\(s\) \(other\)/)]);
    await store.close();
  });

  it('drops a run whose log is gone and adds a log it did not know', async () => {
    const dir = freshDir();
    await storeWithRuns(dir);
    rmSync(join(dir, 'runs/other.fdlog'));
    writeFileSync(join(dir, 'runs/new.fdlog'), encodeFrame(encodeEnvelope(step('new', 0))));
    const { store, messages } = await open(dir);
    expect(store.runs().map((r) => [r.runId, r.records])).toEqual([
      ['new', 1],
      ['run-1', 6],
    ]);
    expect(messages).toEqual([expect.stringMatching(/stale for 1 run\(s\) \(new\)/), expect.stringMatching(/lists run other but runs\/other\.fdlog does not exist/)]);
    await store.close();
  });
});

describe('run store lock', () => {
  it('lets one store at a time open a folder', async () => {
    const dir = freshDir();
    const { store } = await open(dir);
    await expect(RunStore.open(dir)).rejects.toMatchObject({ code: 'locked' });
    await store.close();
    const again = await open(dir);
    await again.store.close();
  });

  it('takes over the lock of a process that no longer exists, not of a live one', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'LOCK'), `${dead}\n`);
    const { store } = await open(dir);
    expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
    await store.close();
    writeFileSync(join(dir, 'LOCK'), `${process.ppid}\n`);
    await expect(RunStore.open(dir)).rejects.toThrow(new RegExp(`open in process ${process.ppid}`));
  });
});

describe('StoreSink', () => {
  it('lets a producer write straight into the store', async () => {
    const dir = freshDir();
    const sink = await StoreSink.open(dir, { log: () => undefined });
    const run = new RunStream('sink-run', sink, { clock: () => 7 });
    await run.started({ testProblem: 'mnist_logreg', optimizer: 'SGD' });
    for (let s = 0; s < 100; s++) await run.step({ step: s, epoch: 0, loss: 1 / (s + 1) });
    await run.finished({ status: RunStatus.COMPLETED });
    await sink.flush();
    expect(sink.store.run('sink-run')).toMatchObject({ records: 102, status: 'finished', testProblem: 'mnist_logreg', lastSeq: 101 });
    await sink.close();
    const { store } = await open(dir);
    const back = await all(store.read('sink-run'));
    expect(back.map((e) => e.seq)).toEqual([...Array(102).keys()]);
    expect(back[50].step).toMatchObject({ step: 49, loss: 1 / 50 });
    await store.close();
  });

  it('throws at flush for a record the store refused, naming the run', async () => {
    const { store } = await open(freshDir());
    const sink = new StoreSink(store);
    sink.write(step('r', 0));
    sink.write(step('r', 0));
    await expect(sink.flush()).rejects.toThrow(/seq 0 refused: the run already has records up to seq 0 \(run r, file runs\/r\.fdlog\)/);
    sink.write(step('r', 4));
    await sink.flush();
    expect(sink.gaps).toEqual([{ status: 'gap', runId: 'r', seq: 4, expected: 1 }]);
    sink.write({ ...step('r', 5), schemaVersion: 9 });
    await expect(sink.close()).rejects.toBeInstanceOf(EnvelopeError);
    await store.close();
  });
});
