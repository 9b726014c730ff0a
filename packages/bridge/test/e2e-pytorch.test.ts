import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyKind, type Envelope } from '@flightdeck/core';
import { Bridge } from '../src/bridge/index.js';
import { onnxRunId, type TestSplit } from '../src/onnx/index.js';
import { waitFor } from './helpers/records.js';
import { runPython } from './helpers/python.js';
import { readRun, tempDir } from './helpers/store.js';

interface TrainerOutput {
  run_id: string;
  report: { sent: number; acknowledged: number; dropped: number; unacknowledged: number };
  losses: number[];
  steps: number;
}

const ECONOMY_AND_HESS = ['Alpha', 'Distance', 'GradHist1d', 'GradNorm', 'HessMaxEV', 'InnerTest', 'Loss', 'NormTest', 'OrthoTest', 'UpdateSize'];

// Two real PyTorch trainings (an MLP and a CNN, examples/train.py) stream to one bridge at the same time, with
// Cockpit instruments and an ONNX checkpoint per epoch; the bridge evaluates the checkpoints on the test split.
test('PyTorch trainers stream to the bridge: every record arrives once and in order, checkpoints are evaluated', async () => {
  const tmp = tempDir();
  const splits = new Map<string, string>([
    ['synthetic_mlp', join(tmp.dir, 'mlp-split.json')],
    ['synthetic_cnn', join(tmp.dir, 'cnn-split.json')],
  ]);
  const testSplit = (started: { testProblem?: string | null }): TestSplit | undefined => {
    const file = splits.get(started.testProblem ?? '');
    if (!file) return undefined;
    const s = JSON.parse(readFileSync(file, 'utf8'));
    return { inputs: Float32Array.from(s.inputs), shape: s.shape, labels: s.labels };
  };
  const logs: string[] = [];
  const bridge = await Bridge.start({ storeDir: join(tmp.dir, 'store'), bind: 'tcp://127.0.0.1:0', testSplit, log: (l) => logs.push(l) });
  const live: Envelope[] = [];
  const watching = (async () => {
    for await (const e of bridge.live.subscribe()) live.push(e);
  })();
  try {
    const train = (model: string) =>
      runPython(['examples/train.py', '--address', bridge.ingest.address, '--model', model, '--epochs', '2', '--cockpit', '--onnx', '--test-split-out', splits.get(`synthetic_${model}`)!, '--run-id', `e2e-${model}`]);
    const outputs: TrainerOutput[] = (await Promise.all([train('mlp'), train('cnn')])).map((o) => JSON.parse(o.trim().split('\n').pop()!));
    for (const out of outputs) {
      expect(out.report).toMatchObject({ sent: out.report.acknowledged, dropped: 0, unacknowledged: 0 });
      const stored = await readRun(bridge.store, out.run_id);
      expect(stored.map((e) => Number(e.seq))).toEqual(stored.map((_, i) => i));
      expect(stored).toHaveLength(out.report.sent);
      const kinds = stored.map(bodyKind);
      expect(kinds[0]).toBe('runStarted');
      expect(kinds[kinds.length - 1]).toBe('runFinished');
      const steps = stored.filter((e) => e.step).map((e) => e.step!);
      expect(steps.map((s) => Number(s.step))).toEqual(out.losses.map((_, i) => i));
      expect(steps.map((s) => s.loss)).toEqual(out.losses);
      expect(new Set(steps[3].quantities!.map((q) => q.name))).toEqual(new Set(ECONOMY_AND_HESS));
      expect(steps[3].quantities!.find((q) => q.name === 'Alpha')!.forStep).toBe(2);
      expect(kinds.filter((k) => k === 'checkpoint')).toHaveLength(3);
      // The live subscriber saw the same records in the same order.
      expect(live.filter((e) => e.runId === out.run_id).map((e) => Number(e.seq))).toEqual(stored.map((e) => Number(e.seq)));

      // The bridge's own evaluation of each epoch's ONNX checkpoint matches the trainer's test metrics.
      await waitFor(() => bridge.store.lastSeq(onnxRunId(out.run_id)) === 4, 30_000, `ONNX evaluations of ${out.run_id}`).catch((e) => {
        throw new Error(`${(e as Error).message}; bridge log:\n${logs.join('\n')}`);
      });
      const trainerEvals = stored.filter((e) => e.evaluation).map((e) => e.evaluation!);
      const onnx = (await readRun(bridge.store, onnxRunId(out.run_id))).filter((e) => e.evaluation).map((e) => e.evaluation!);
      expect(onnx.map((e) => [e.epoch, e.source])).toEqual([[0, 'onnx'], [1, 'onnx'], [2, 'onnx']]);
      for (const [i, e] of onnx.entries()) {
        expect(e.testLoss).toBeCloseTo(trainerEvals[i].testLoss!, 5);
        expect(e.testAccuracy).toBeCloseTo(trainerEvals[i].testAccuracy!, 10);
      }
    }
    expect(bridge.onnxCounts).toEqual({ evaluated: 6, failed: 0, skipped: 0 });
  } finally {
    await bridge.close();
    await watching;
    tmp.remove();
  }
});

// The Python client with CurveZMQ keys: an allowed trainer gets in, one with another key gets nothing in.
const CURVE_TRAINER = `
import json, sys
sys.path.insert(0, ".")
from flightdeck_client import open_stream
address, run_id, keys = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
logs = []
s = open_stream(address, run_id=run_id, test_problem="curve_check", curve=keys, log=logs.append)
for t in range(5):
    s.step(t, 0, loss=1.0)
print(json.dumps({**s.finish(timeout=30)._asdict(), "logs": logs}))
`;

test('the Python client speaks CurveZMQ: an allowed key gets in, another key gets nothing in', async () => {
  const { generateCurveKeyPair } = await import('../src/ingest/index.js');
  const server = generateCurveKeyPair();
  const allowed = generateCurveKeyPair();
  const stranger = generateCurveKeyPair();
  const tmp = tempDir();
  const bridge = await Bridge.start({ storeDir: tmp.dir, bind: 'tcp://127.0.0.1:0', curve: { ...server, allowedClientKeys: [allowed.publicKey] }, log: () => undefined });
  try {
    const keys = (k: typeof allowed) => JSON.stringify({ server_public_key: server.publicKey, public_key: k.publicKey, secret_key: k.secretKey });
    const [ok, refused] = await Promise.all([
      runPython(['-c', CURVE_TRAINER, bridge.ingest.address, 'curve-ok', keys(allowed)]),
      runPython(['-c', CURVE_TRAINER, bridge.ingest.address, 'curve-refused', keys(stranger)]),
    ]);
    expect(JSON.parse(ok)).toMatchObject({ sent: 7, acknowledged: 7, unacknowledged: 0 });
    expect(JSON.parse(refused)).toMatchObject({ sent: 7, acknowledged: 0, unacknowledged: 7 });
    // Told once why, and finish() did not wait out its 30 s for acks that cannot come.
    const refusedLogs = (JSON.parse(refused) as { logs: string[] }).logs;
    expect(refusedLogs.filter((l) => /refused this client's CurveZMQ key/.test(l))).toHaveLength(1);
    expect(refusedLogs.join('\n')).toMatch(/run curve-refused: the server at tcp:\/\/127\.0\.0\.1:\d+ refused this client's CurveZMQ key; \d+ records stay unacknowledged/);
    expect(bridge.store.runs().map((r) => r.runId)).toEqual(['curve-ok']);
  } finally {
    await bridge.close();
    tmp.remove();
  }
});
