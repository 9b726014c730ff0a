import { spawn } from 'node:child_process';
import { bodyKind } from '@flightdeck/core';
import { Bridge } from '../src/bridge/index.js';
import { FLIGHTDECK_ARGS, PACKAGE } from './helpers/serve-process.js';
import { readRun, tempDir } from './helpers/store.js';

// A tfjs trainer streams through the TS client exactly like a PyTorch one: `flightdeck train --bridge` sends a
// DeepOBS run with Cockpit to a running bridge, which stores it.
test('flightdeck train --bridge streams a tfjs run to a running bridge', async () => {
  const tmp = tempDir();
  const bridge = await Bridge.start({ storeDir: tmp.dir, bind: 'tcp://127.0.0.1:0', log: () => undefined });
  try {
    const args = ['train', 'mnist_logreg', '--optimizer', 'SGD', '--lr', '0.1', '--epochs', '1', '--batch-size', '32', '--synthetic', '--synthetic-size', '128', '--backend', 'wasm', '--cockpit', 'economy', '--bridge', bridge.ingest.address, '--run-id', 'tfjs-over-zmq'];
    const child = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      // Asynchronous: the bridge in this process must keep serving while the trainer runs.
      const c = spawn(process.execPath, [...FLIGHTDECK_ARGS, ...args], { cwd: PACKAGE });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.on('exit', (status) => resolve({ status, stderr }));
    });
    expect([child.status, child.stderr]).toEqual([0, expect.stringMatching(/run tfjs-over-zmq completed; stored in tcp:\/\/127\.0\.0\.1:\d+/)]);
    const stored = await readRun(bridge.store, 'tfjs-over-zmq');
    expect(stored.map((e) => Number(e.seq))).toEqual(stored.map((_, i) => i));
    expect(bodyKind(stored[0])).toBe('runStarted');
    expect(bodyKind(stored[stored.length - 1])).toBe('runFinished');
    expect(stored.some((e) => e.step?.quantities?.some((q) => q.name === 'GradNorm'))).toBe(true);
    expect(bridge.ingest.stats()).toMatchObject({ rejected: 0, duplicates: 0 });
  } finally {
    await bridge.close();
    tmp.remove();
  }
});
