import type { Envelope } from '@flightdeck/core';
import { IngestServer, type IngestStore } from '../src/ingest/index.js';
import { BridgeClient } from '../src/client/index.js';
import { runEnvelopes, waitFor } from './helpers/records.js';

class Mem implements IngestStore {
  logs = new Map<string, Envelope[]>();
  async appendMany(es: Envelope[]) { for (const e of es) { const l = this.logs.get(e.runId!) ?? []; l.push(e); this.logs.set(e.runId!, l); } }
  lastSeq(r: string) { const l = this.logs.get(r); return l ? Number(l[l.length - 1].seq) : undefined; }
  markInterrupted() {}
}

test('smoke', async () => {
  const store = new Mem();
  const server = await IngestServer.start(store, { bind: 'tcp://127.0.0.1:0' });
  const client = new BridgeClient({ address: server.address });
  const envs = runEnvelopes('r1', 1000);
  const t0 = Date.now();
  for (const e of envs) await client.write(e);
  await client.close();
  console.log(Date.now() - t0, client.report());
  await waitFor(() => (store.logs.get('r1')?.length ?? 0) === envs.length);
  expect(store.logs.get('r1')!.map((e) => e.seq)).toEqual(envs.map((e) => e.seq));
  await server.close();
});
