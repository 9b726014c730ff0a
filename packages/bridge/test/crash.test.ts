import { RunStore, type Envelope } from '@flightdeck/core';
import { BridgeClient } from '../src/client/index.js';
import { runEnvelopes, waitFor } from './helpers/records.js';
import { freePort, startServeProcess, stopProcess } from './helpers/serve-process.js';
import { readRun, tempDir } from './helpers/store.js';

// kill -9 of the server in the middle of a stream, then a restart on the same store: the client resends what was
// not acknowledged, the server drops what it already had, and the stored run is every record exactly once, in
// order, with a log that reads back cleanly.
test('kill -9 of the server mid-stream loses and duplicates nothing', async () => {
  const tmp = tempDir();
  const port = await freePort();
  const address = `tcp://127.0.0.1:${port}`;
  const args = ['--store', tmp.dir, '--bind', address, '--fsync', 'always', '--no-dashboard'];
  let server = await startServeProcess(args);
  const envelopes: Envelope[] = runEnvelopes('crash-run', 6000);
  const client = new BridgeClient({ address, maxUnacked: 1000, log: () => undefined });
  let written = 0;
  const producer = (async () => {
    for (const e of envelopes) {
      await client.write(e);
      written++;
      if (written % 200 === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    for (const crashAt of [1500, 3500]) {
      await waitFor(() => client.report().acknowledged >= crashAt, 30_000, `${crashAt} acks`);
      await stopProcess(server.child, 'SIGKILL');
      const acknowledged = client.report().acknowledged;
      expect(written).toBeLessThan(envelopes.length);
      server = await startServeProcess(args);
      await waitFor(() => client.report().acknowledged > acknowledged, 30_000, 'acks after the restart');
    }
    await producer;
    await client.close();
    expect(client.report()).toMatchObject({ sent: envelopes.length, acknowledged: envelopes.length, dropped: 0, unacknowledged: 0 });
    expect(client.report().resent).toBeGreaterThan(0);
  } catch (e) {
    await stopProcess(server.child, 'SIGKILL');
    throw new Error(`${(e as Error).message}\nclient: ${JSON.stringify(client.report())}, written ${written}\nserver output:\n${server.output()}`);
  }
  await stopProcess(server.child, 'SIGTERM');
  const store = await RunStore.open(tmp.dir, { log: () => undefined });
  const stored = await readRun(store, 'crash-run');
  expect(stored.map((e) => Number(e.seq))).toEqual(envelopes.map((e) => Number(e.seq)));
  expect(stored[envelopes.length - 1].runFinished).toBeDefined();
  expect(store.run('crash-run')).toMatchObject({ status: 'finished', gaps: 0, records: envelopes.length });
  await store.close();
  tmp.remove();
}, 240_000); // three server starts from the TypeScript sources: slow on a loaded machine
