import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION, type Envelope } from '@flightdeck/core';
import { BridgeClient } from '../src/client/index.js';
import { FLIGHTDECK_ARGS, PACKAGE, freePort, startServeProcess, stopProcess } from './helpers/serve-process.js';
import { tempDir } from './helpers/store.js';


function flightdeck(...args: string[]) {
  const r = spawnSync(process.execPath, [...FLIGHTDECK_ARGS, ...args], { cwd: PACKAGE, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A complete little DeepOBS-style run: RunStarted, evaluations before and after one epoch, steps, RunFinished. */
function deepobsRun(runId: string): Envelope[] {
  const base = (seq: number) => ({ schemaVersion: SCHEMA_VERSION, runId, seq, timeUnixUs: 1_700_000_000_000_000 + seq });
  const metrics = (e: number) => ({ trainLoss: 2 - e, validLoss: 2.1 - e, testLoss: 2.2 - e, trainAccuracy: 0.1 + e / 2, validAccuracy: 0.1 + e / 3, testAccuracy: 0.1 + e / 4 });
  return [
    { ...base(0), runStarted: { testProblem: 'quadratic_deep', optimizer: 'SGD', hyperparameters: { lr: { number: 0.01 } }, seed: 42, batchSize: 128, numEpochs: 1, trainLogInterval: 1 } },
    { ...base(1), evaluation: { epoch: 0, ...metrics(0), learningRate: 0.01 } },
    { ...base(2), step: { step: 0, epoch: 0, loss: 2.05 } },
    { ...base(3), step: { step: 1, epoch: 0, loss: 1.5 } },
    { ...base(4), evaluation: { epoch: 1, ...metrics(1), learningRate: 0.01 } },
    { ...base(5), runFinished: { status: 1, lastStep: 1 } },
  ];
}

function findFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? findFiles(join(dir, n)) : [join(dir, n)]));
}

test('serve (with the dashboard), runs and export work together', async () => {
  const tmp = tempDir();
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const store = join(tmp.dir, 'store');
  const server = await startServeProcess(['--store', store, '--bind', address, '--http-port', '0']);
  try {
    const client = new BridgeClient({ address, log: () => undefined });
    for (const e of deepobsRun('cli-run')) await client.write(e);
    await client.close();
    const dashboardUrl = /dashboard at (http:\/\/\S+)/.exec(await waitForOutput(server.output, /dashboard at http/))![1];
    const page = await fetch(dashboardUrl);
    expect(page.status).toBe(200);
  } finally {
    await stopProcess(server.child, 'SIGTERM');
  }
  expect(server.output()).toMatch(/ingest listening on tcp:\/\/127\.0\.0\.1:\d+/);

  const runs = flightdeck('runs', '--store', store);
  expect(runs.code).toBe(0);
  expect(runs.out).toMatch(/cli-run\s+quadratic_deep\s+SGD\s+finished\s+6\s+1\s+0/);
  const json = JSON.parse(flightdeck('runs', '--store', store, '--json').out);
  expect(json).toHaveLength(1);

  const out = join(tmp.dir, 'deepobs');
  const exported = flightdeck('export', 'cli-run', '--deepobs', out, '--store', store);
  expect(exported.err).toBe('');
  const [file] = findFiles(out);
  expect(exported.out.trim()).toBe(file);
  expect(file).toMatch(/quadratic_deep\/SGD\/.*random_seed__42__.*\.json$/);
  const result = JSON.parse(readFileSync(file, 'utf8'));
  expect(result.test_losses).toEqual([2.2, 1.2000000000000002]);
  expect(result.minibatch_train_losses).toEqual([2.05, 1.5]);

  const missing = flightdeck('export', 'no-such-run', '--deepobs', out, '--store', store);
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/run no-such-run is not in the store/);
  tmp.remove();
});

test('keys, and clear errors for bad flags', () => {
  const keys = JSON.parse(flightdeck('keys').out);
  expect(keys.publicKey).toHaveLength(40);
  expect(keys.secretKey).toHaveLength(40);
  const cases: Array<[string[], RegExp]> = [
    [['serve', '--silence', '-3'], /--silence <seconds>' argument '-3' is invalid\. expected a positive number/],
    [['serve', '--fsync', 'sometimes', '--no-dashboard'], /--fsync must be one of always, interval, never, got "sometimes"/],
    [['serve', '--bind', 'tcp://0.0.0.0:5555'], /is not loopback: pass --public/],
    [['serve', '--public', '--bind', 'tcp://0.0.0.0:5555'], /--public needs --token/],
    [['serve', '--curve-keys', '/nonexistent.json'], /--curve-keys needs --allow-keys/],
    [['serve', '--curve-keys', '/nonexistent.json', '--allow-keys', '/x'], /key file \/nonexistent\.json: ENOENT/],
    [['serve', '--http-port', '70000'], /expected a port number 0-65535, got "70000"/],
    [['runs', '--store', '/nonexistent-store'], /no run store at \/nonexistent-store/],
    [['export', 'r'], /required option '--deepobs <dir>' not specified/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const r = flightdeck(...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
  }
});

async function waitForOutput(output: () => string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 600 && !pattern.test(output()); i++) await new Promise((r) => setTimeout(r, 50));
  return output();
}

test('train runs a DeepOBS problem in process with Cockpit into the store, the same envelopes a bridge stores', async () => {
  const tmp = tempDir();
  const store = join(tmp.dir, 'store');
  const out = join(tmp.dir, 'deepobs');
  const r = flightdeck('train', 'mnist_logreg', '--optimizer', 'SGD', '--lr', '0.1', '--epochs', '1', '--batch-size', '32', '--synthetic', '--synthetic-size', '128', '--backend', 'wasm', '--cockpit', 'economy', '--store', store, '--deepobs', out, '--run-id', 'train-run');
  expect([r.code, r.err]).toEqual([0, expect.stringMatching(/run train-run completed; stored in/)]);
  expect(r.out.trim()).toBe('train-run');
  const runs = flightdeck('runs', '--store', store);
  expect(runs.out).toMatch(/train-run\s+mnist_logreg\s+\S+\s+finished/);
  const { RunStore } = await import('@flightdeck/core');
  const s = await RunStore.open(store, { log: () => undefined });
  const envelopes: Envelope[] = [];
  for await (const e of s.read('train-run')) envelopes.push(e);
  await s.close();
  expect(envelopes.map((e) => Number(e.seq))).toEqual(envelopes.map((_, i) => i));
  expect(envelopes[0].runStarted?.instruments?.preset).toBe('economy');
  const names = new Set(envelopes.flatMap((e) => e.step?.quantities?.map((q) => q.name) ?? []));
  for (const q of ['Loss', 'GradNorm', 'NormTest', 'GradHist1d', 'Alpha']) expect(names).toContain(q);
  expect(findFiles(out)).toHaveLength(1);
  const bad = flightdeck('train', 'mnist_logreg', '--optimizer', 'SGD', '--cockpit', 'deluxe');
  expect(bad.err).toMatch(/--cockpit must be one of economy, business, full, got "deluxe"/);
  const badHp = flightdeck('train', 'mnist_logreg', '--optimizer', 'SGD', '--hp', 'momentum=fast');
  expect(badHp.err).toMatch(/the value of momentum must be a number or true\/false, got "fast"/);
  tmp.remove();
});
