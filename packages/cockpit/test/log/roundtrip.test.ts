// Logs we write: read back to the same records, and Python's json module (run here) reads and re-writes them
// byte for byte, which checks the float repr, NaN/Infinity tokens, key order and indentation independently.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PyJsonSyntaxError, RunStatus, SCHEMA_VERSION, type Envelope, type Quantity } from '@flightdeck/core';
import {
  LogFormatError,
  cockpitLogToEnvelopes,
  parseCockpitLog,
  readCockpitLogFile,
  recordsToCockpitLog,
  writeCockpitLogFile,
} from '../../src/log/index.js';

const PYTHON = '/usr/bin/python3';
const NAMES = ['dense/kernel', 'dense/bias'];

function env(seq: number, body: Partial<Envelope>): Envelope {
  return { schemaVersion: SCHEMA_VERSION, runId: 'ours-1', seq, timeUnixUs: 0, ...body };
}

/** A small run as our Cockpit emits it, with awkward numbers on purpose. */
function ourRun(): Envelope[] {
  const hist2d = (k: number) => ({ xEdges: [-1, 0, 1], yEdges: [-2, -1, 1, 2], counts: [k, 0, 2, 1, 0, 3] });
  const steps: Quantity[][] = [
    [
      { name: 'Loss', scalar: 2.302585092994046 },
      { name: 'GradNorm', vector: { values: [1e-5, 12345678901234567890], labels: NAMES } },
      { name: 'Distance', vector: { values: [0, -0], labels: NAMES } },
      { name: 'NormTest', scalar: NaN },
      { name: 'InnerTest', scalar: Infinity },
      { name: 'OrthoTest', scalar: -Infinity },
      { name: 'GradHist1d', histogram1d: { edges: [-2, -0.6666666666666667, 0.6666666666666665, 2], counts: [1, 5, 0] } },
      { name: 'GradHist2d', histogram2d: { xEdges: [-1, 0, 1], yEdges: [-2, -1, 1, 2], counts: [1, 1, 4, 2, 0, 5] } },
      { name: 'GradHist2d', param: NAMES[0], histogram2d: hist2d(1) },
      { name: 'GradHist2d', param: NAMES[1], histogram2d: hist2d(0) },
      { name: 'Parameters', tensors: { tensors: [{ name: NAMES[0], shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }, { name: NAMES[1], shape: [3], values: [0.1, 0.2, 0.3] }] } },
      { name: 'Time', scalar: 1700000000.123456 },
    ],
    [
      { name: 'Loss', scalar: 1.5e-300 },
      { name: 'Alpha', forStep: 0, scalar: -0.25 },
      { name: 'UpdateSize', forStep: 0, vector: { values: [0.001, 1e16], labels: NAMES } },
      { name: 'HessMaxEV', scalar: 123.456 },
    ],
  ];
  return [
    env(0, { runStarted: { testProblem: 'mnist_mlp', parameterNames: NAMES } }),
    env(1, { evaluation: { epoch: 0, step: 0, trainLoss: 2.3, validLoss: NaN, testLoss: 2.31, trainAccuracy: 0.1, testAccuracy: 0.11, learningRate: 0.01 } }),
    env(2, { step: { step: 0, epoch: 0, loss: 2.302585092994046, quantities: steps[0] } }),
    env(3, { step: { step: 1, epoch: 0, loss: 1.5e-300, quantities: steps[1] } }),
    env(4, { runFinished: { status: RunStatus.COMPLETED, message: 'imported from a Cockpit log', lastStep: 1, lastEpoch: 0 } }),
  ];
}

/** Quantities in a fixed order, so records compare independently of the order they were listed in. */
function canonical(envs: Envelope[]): Envelope[] {
  return envs.map((e) => {
    if (!e.step) return e;
    const qs = [...(e.step.quantities ?? [])].sort((a, b) => `${a.name}/${a.param ?? ''}`.localeCompare(`${b.name}/${b.param ?? ''}`));
    return { ...e, step: { ...e.step, quantities: qs } };
  });
}

test('a log we write reads back to the same envelopes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-log-'));
  const path = join(dir, 'sub', 'run.json');
  const run = ourRun();
  await writeCockpitLogFile(path, run);
  const back = cockpitLogToEnvelopes(await readCockpitLogFile(path), { runId: 'ours-1', parameterNames: NAMES, started: { testProblem: 'mnist_mlp' } });
  expect(canonical(back)).toEqual(canonical(run));
});

test("Python's json reads our log and writes the same bytes", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-log-'));
  const path = join(dir, 'run.json');
  await writeCockpitLogFile(path, ourRun());
  const text = readFileSync(path, 'utf8');
  expect(text).toContain('"NormTest": NaN');
  expect(text).toContain('"OrthoTest": -Infinity');
  expect(text).toContain('"valid_loss": NaN');
  expect(text).toContain('"valid_accuracy": null');
  const script = 'import json,sys\nd=json.load(open(sys.argv[1]))\nsys.stdout.write(json.dumps({int(k): v for k, v in d.items()}, indent=4, sort_keys=True))';
  expect(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8' })).toBe(text);
});

test('non-finite values are read bare (as Python writes them) or quoted', () => {
  const log = parseCockpitLog('{"0": {"Loss": NaN, "TICDiag": "Infinity", "GradNorm": [-Infinity, "NaN", 1]}}', 'nan.json');
  const [env] = cockpitLogToEnvelopes(log, { runId: 'r' }).filter((e) => e.step);
  const q = Object.fromEntries(env.step!.quantities!.map((x) => [x.name, x]));
  expect(q.Loss.scalar).toBeNaN();
  expect(q.TICDiag.scalar).toBe(Infinity);
  expect(q.GradNorm.vector!.values).toEqual([-Infinity, NaN, 1]);
  expect(() => parseCockpitLog('{"0": {"Loss": nan}}', 'lower.json')).toThrow(/lower\.json:1:16: expected a value, found "nan}}"/);
});

describe('bad input gets an error naming the file, step and key', () => {
  test('truncated file', () => {
    const text = readFileSync(join(__dirname, '../fixtures/logs/mlp.mc.cockpit_log.json'), 'utf8');
    expect(() => parseCockpitLog(text.slice(0, 200), 'mlp.mc.json')).toThrow(PyJsonSyntaxError);
    expect(() => parseCockpitLog(text.slice(0, 200), 'mlp.mc.json')).toThrow(/^mlp\.mc\.json:\d+:\d+: unexpected end of input/);
  });
  test('non-step top-level key', () => {
    expect(() => parseCockpitLog('{"abc": {}}', 'x.json')).toThrow(/x\.json "abc": top-level keys must be global steps/);
  });
  test('histogram with a wrong shape', () => {
    const bad = '{"2": {"GradHist1d": {"edges": {"__ndarray__": [0.0, 1.0], "dtype": "float64", "shape": [2]}, "hist": {"__ndarray__": [1.0, 2.0], "dtype": "float64", "shape": [2]}}}}';
    const log = parseCockpitLog(bad, 'h.json');
    expect(() => cockpitLogToEnvelopes(log, { runId: 'r', source: 'h.json' })).toThrow(new LogFormatError('h.json "2".GradHist1d', 'edges of shape [2] do not fit hist of shape [2]'));
  });
  test('a value written twice for the same step', () => {
    const run = [{ step: { step: 1, quantities: [{ name: 'Alpha', scalar: 1 }] } }, { step: { step: 2, quantities: [{ name: 'Alpha', forStep: 1, scalar: 2 }] } }];
    expect(() => recordsToCockpitLog(run)).toThrow(/step 1\.Alpha: written twice \(second time by record of step 2\)/);
  });
  test('per-layer values the format cannot hold', () => {
    const run = [{ step: { step: 0, quantities: [{ name: 'HessTrace', param: 'dense/kernel', scalar: 1 }] } }];
    expect(() => recordsToCockpitLog(run)).toThrow(/step 0\.HessTrace\[dense\/kernel\]: the Cockpit log format has no place/);
  });
});
