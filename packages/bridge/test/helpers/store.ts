import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore, type Envelope } from '@flightdeck/core';

export function tempDir(prefix = 'fd-bridge-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function readRun(store: RunStore, runId: string): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for await (const e of store.read(runId)) out.push(e);
  return out;
}

/** Opens a store in `dir`, reads one run, closes it. */
export async function readStoredRun(dir: string, runId: string): Promise<Envelope[]> {
  const store = await RunStore.open(dir, { fsync: 'never', log: () => undefined });
  try {
    return await readRun(store, runId);
  } finally {
    await store.close();
  }
}
