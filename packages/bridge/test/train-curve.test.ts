import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyKind, fromValueMap } from '@flightdeck/core';
import { generateCurveKeyPair } from '../src/ingest/index.js';
import { FLIGHTDECK_ARGS, PACKAGE, freePort, startServeProcess, stopProcess } from './helpers/serve-process.js';
import { readStoredRun, tempDir } from './helpers/store.js';

const TRAIN = ['train', 'mnist_logreg', '--optimizer', 'SGD', '--lr', '0.1', '--epochs', '2', '--batch-size', '32', '--synthetic', '--synthetic-size', '128', '--backend', 'wasm'];

function train(args: string[]): { child: ChildProcess; exited: Promise<number | null>; stderr: () => string } {
  // Asynchronous: the server and the other trainer keep running meanwhile.
  const child = spawn(process.execPath, [...FLIGHTDECK_ARGS, ...TRAIN, ...args], { cwd: PACKAGE });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  return { child, exited, stderr: () => stderr };
}

async function until(what: string, done: () => boolean, ms = 60_000): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > ms) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Array tasks on other machines stream to a `flightdeck serve --public` with CurveZMQ: `flightdeck train --bridge`
// takes the server's public key and its own key pair file; a trainer whose key is not allowed gets nothing in.
test('flightdeck train --bridge with CurveZMQ keys streams to a curve server; a stranger key gets nothing in and is told', async () => {
  const tmp = tempDir();
  const keyFile = (name: string, keys: object) => {
    const path = join(tmp.dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(keys));
    return path;
  };
  const server = generateCurveKeyPair();
  const allowed = generateCurveKeyPair();
  const stranger = generateCurveKeyPair();
  const store = join(tmp.dir, 'store');
  const address = `tcp://127.0.0.1:${await freePort()}`;
  const serve = await startServeProcess(['--store', store, '--bind', address, '--public', '--curve-keys', keyFile('server', server), '--allow-keys', keyFile('allowed', allowed), '--token', 'secret', '--no-dashboard']);
  const curveArgs = (keys: string) => ['--bridge', address, '--curve-server-key', server.publicKey, '--curve-client-keys', keys];
  let stranded: ChildProcess | undefined;
  try {
    const intruder = train([...curveArgs(keyFile('stranger', stranger)), '--run-id', 'intruder']);
    stranded = intruder.child;
    const friend = train([...curveArgs(keyFile('friend', allowed)), '--run-id', 'friend', '--weight-decay', '0.001', '--train-log-interval', '1', '--lr-sched-epochs', '1', '--lr-sched-factors', '0.1']);
    expect([await friend.exited, friend.stderr()]).toEqual([0, expect.stringContaining(`run friend completed; stored in ${address}`)]);
    // The intruder is told that its key was refused and fails, instead of waiting for acks that never come.
    expect(await intruder.exited).not.toBe(0);
    expect(intruder.stderr()).toContain(`the server at ${address} refused this client's CurveZMQ key`);
    await until('the server to refuse the intruder', () => serve.output().includes(`refused a CURVE client with key ${stranger.publicKey}`));
    await stopProcess(serve.child, 'SIGTERM');

    const stored = await readStoredRun(store, 'friend');
    expect(stored.map((e) => Number(e.seq))).toEqual(stored.map((_, i) => i));
    expect(bodyKind(stored[stored.length - 1])).toBe('runFinished');
    const started = stored[0].runStarted!;
    expect(started.weightDecay).toBe(0.001);
    expect(started.trainLogInterval).toBe(1);
    expect(fromValueMap(started.trainingParams)).toMatchObject({ lr_sched_epochs: [1], lr_sched_factors: [0.1] });
    // The mini-batch loss logged at every step (the default interval, 10, logs only the first step of each epoch).
    const steps = stored.filter((e) => e.step != null).map((e) => e.step!);
    expect(steps.length).toBeGreaterThan(2 * 2);
    expect(steps.filter((s) => s.loss == null)).toEqual([]);
    await expect(readStoredRun(store, 'intruder')).rejects.toThrow(/no such run/);
  } finally {
    if (stranded) await stopProcess(stranded, 'SIGKILL');
    await stopProcess(serve.child, 'SIGKILL');
    tmp.remove();
  }
}, 120_000);

test('flightdeck train: the schedule flags reach the runner, curve flags are checked', () => {
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [...FLIGHTDECK_ARGS, ...TRAIN, ...args], { cwd: PACKAGE, encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  };
  expect(run(['--lr-schedule', 'cosine', '--lr-sched-epochs', '1', '--lr-sched-factors', '0.1', '--bridge', 'tcp://127.0.0.1:1'])).toEqual({ status: 1, stderr: expect.stringMatching(/give either --lr-schedule or --lr-sched-epochs/) });
  expect(run(['--curve-server-key', 'x'.repeat(40), '--curve-client-keys', '/nonexistent.json'])).toEqual({ status: 1, stderr: expect.stringMatching(/are for streaming with --bridge/) });
  expect(run(['--bridge', 'tcp://127.0.0.1:1', '--curve-server-key', 'short', '--curve-client-keys', '/nonexistent.json'])).toEqual({ status: 1, stderr: expect.stringMatching(/--curve-server-key: not a 40-character Z85 CurveZMQ key/) });
  expect(run(['--bridge', 'tcp://127.0.0.1:1', '--curve-server-key', 'x'.repeat(40), '--curve-client-keys', '/nonexistent.json'])).toEqual({ status: 1, stderr: expect.stringMatching(/key file \/nonexistent\.json: ENOENT/) });
  expect(run(['--bridge', 'tcp://127.0.0.1:1', '--curve-server-key', 'x'.repeat(40)])).toEqual({ status: 1, stderr: expect.stringMatching(/go together/) });
  expect(run(['--weight-decay', 'abc'])).toEqual({ status: 1, stderr: expect.stringMatching(/--weight-decay must be a number, got "abc"/) });
}, 120_000);
