// How envelopes become the runs the views draw.
import { RunStatus, SCHEMA_VERSION, type Envelope } from '@flightdeck/core';
import { collectRuns, quantityKey, runState } from '../../src/views/index.js';

const env = (runId: string, seq: number, body: Partial<Envelope>): Envelope => ({ schemaVersion: SCHEMA_VERSION, runId, seq, timeUnixUs: 10 + seq, ...body });

test('quantities are filed under the step they belong to, in step order, one value per step', () => {
  const [run] = collectRuns([
    env('a', 0, { runStarted: { optimizer: 'SGD' } }),
    env('a', 1, { step: { step: 2, loss: 1, quantities: [{ name: 'GradNorm', vector: { values: [1] } }] } }),
    env('a', 2, { step: { step: 3, quantities: [{ name: 'Alpha', forStep: 2, scalar: 0.5 }, { name: 'GradHist2d', param: 'w', histogram2d: { xEdges: [0, 1], yEdges: [0, 1], counts: [1] } }] } }),
    // Out of order and a replayed step: kept sorted, the later value wins.
    env('a', 3, { step: { step: 0, quantities: [{ name: 'GradNorm', vector: { values: [3] } }] } }),
    env('a', 4, { step: { step: 2, quantities: [{ name: 'GradNorm', vector: { values: [2] } }] } }),
  ]);
  expect(run.quantities.get('GradNorm')!.map((p) => [p.step, p.value.vector!.values![0]])).toEqual([[0, 3], [2, 2]]);
  expect(run.quantities.get('Alpha')!.map((p) => p.step)).toEqual([2]);
  expect(run.quantities.has(quantityKey('GradHist2d', 'w'))).toBe(true);
  expect(run.rows).toEqual([0, 2, 3]);
  expect(run.losses).toEqual([{ step: 2, value: 1 }]);
  expect(run.records).toBe(5);
  expect(run.lastTimeUnixUs).toBe(14);
});

test.each([
  [undefined, 'active'],
  [RunStatus.COMPLETED, 'completed'],
  [RunStatus.DIVERGED, 'diverged'],
  [RunStatus.FAILED, 'failed'],
  [RunStatus.INTERRUPTED, 'interrupted'],
])('RunFinished status %s → %s', (status, state) => {
  const envs = [env('r', 0, { runStarted: {} })];
  if (status !== undefined) envs.push(env('r', 1, { runFinished: { status } }));
  expect(runState(collectRuns(envs)[0])).toBe(state);
});

test('several runs interleaved stay apart', () => {
  const runs = collectRuns([env('a', 0, { runStarted: {} }), env('b', 0, { runStarted: {} }), env('a', 1, { step: { step: 0, loss: 1 } }), env('b', 1, { step: { step: 0, loss: 2 } })]);
  expect(runs.map((r) => [r.runId, r.losses[0].value])).toEqual([['a', 1], ['b', 2]]);
});
