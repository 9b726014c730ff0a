import { SCHEMA_VERSION, type Envelope } from '@flightdeck/core';

/** Envelopes of one made-up run: RunStarted, `steps` StepRecords, RunFinished, with seqs 0.. */
export function runEnvelopes(runId: string, steps: number): Envelope[] {
  const out: Envelope[] = [{ schemaVersion: SCHEMA_VERSION, runId, seq: 0, timeUnixUs: 1, runStarted: { testProblem: 'quadratic_deep', optimizer: 'SGD' } }];
  for (let s = 0; s < steps; s++) {
    out.push({ schemaVersion: SCHEMA_VERSION, runId, seq: s + 1, timeUnixUs: 2 + s, step: { step: s, epoch: 0, loss: 1 / (s + 1), quantities: [{ name: 'GradNorm', param: '', vector: { values: [s, s + 0.5], labels: ['w', 'b'] } }] } });
  }
  out.push({ schemaVersion: SCHEMA_VERSION, runId, seq: steps + 1, timeUnixUs: 3 + steps, runFinished: { status: 1, lastStep: steps } });
  return out;
}

export async function waitFor(condition: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
