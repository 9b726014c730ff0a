import { FanOut, MemorySink, RunStream, TeeSink, fromArray, fromValueMap, toValueMap, type Envelope } from '../src/index.js';

async function collect(source: AsyncIterable<Envelope>): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of source) out.push(e);
  return out;
}

describe('streams', () => {
  it('RunStream numbers envelopes consecutively per run and stamps them', async () => {
    const sink = new MemorySink();
    let t = 10;
    const run = new RunStream('r1', sink, { clock: () => t++ });
    await run.started({ testProblem: 'quadratic_deep' });
    await run.step({ step: 0, loss: 1 });
    await run.finished({ status: 1 });
    expect(sink.envelopes.map((e) => [e.runId, e.seq, e.timeUnixUs, e.schemaVersion])).toEqual([
      ['r1', 0, 10, 1],
      ['r1', 1, 11, 1],
      ['r1', 2, 12, 1],
    ]);
  });

  it('FanOut delivers every envelope to every subscriber in order and ends them on close', async () => {
    const fan = new FanOut();
    const a = collect(fan.subscribe());
    const b = collect(fan.subscribe());
    const run = new RunStream('r', fan);
    for (let i = 0; i < 5; i++) await run.step({ step: i });
    await fan.close();
    expect((await a).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect((await b).map((e) => e.step?.step)).toEqual([0, 1, 2, 3, 4]);
  });

  it('a subscriber that leaves stops receiving, others continue', async () => {
    const fan = new FanOut();
    const leaving = fan.subscribe();
    const staying = collect(fan.subscribe());
    fan.write({ runId: 'r', seq: 0 });
    const it = leaving[Symbol.asyncIterator]();
    expect((await it.next()).value?.seq).toBe(0);
    await it.return!();
    expect(fan.subscriberCount).toBe(1);
    fan.write({ runId: 'r', seq: 1 });
    await fan.close();
    expect((await staying).map((e) => e.seq)).toEqual([0, 1]);
    expect(() => fan.write({})).toThrow(/after close/);
  });

  it('a subscriber with a long backlog reads it in order while more arrives', async () => {
    const fan = new FanOut();
    const it = fan.subscribe()[Symbol.asyncIterator]();
    const seen: number[] = [];
    let seq = 0;
    // Backlogs past the point where the queue is compacted, read down partly and refilled, then drained.
    for (const [write, read] of [[10_000, 7_000], [3_000, 5_000], [9_000, 10_000]]) {
      for (let i = 0; i < write; i++) fan.write({ runId: 'r', seq: seq++ });
      for (let i = 0; i < read; i++) seen.push(Number((await it.next()).value.seq));
    }
    fan.write({ runId: 'r', seq: seq++ });
    await fan.close();
    for (let r = await it.next(); !r.done; r = await it.next()) seen.push(Number(r.value.seq));
    expect(seen).toEqual(Array.from({ length: seq }, (_, i) => i));
  });

  it('TeeSink writes to every sink; fromArray replays', async () => {
    const a = new MemorySink();
    const b = new MemorySink();
    const tee = new TeeSink([a, b]);
    for (const e of await collect(fromArray([{ seq: 0 }, { seq: 1 }]))) await tee.write(e);
    await tee.close();
    expect(a.envelopes).toEqual(b.envelopes);
    expect(a.envelopes).toHaveLength(2);
  });

  it('JSON-like values round-trip through the schema Value', () => {
    const hp = { lr: 0.1, momentum: 0.9, nesterov: true, epochs: [50, 100], name: 'x', wd: null, neg: -3 };
    expect(fromValueMap(toValueMap(hp))).toEqual(hp);
  });
});
