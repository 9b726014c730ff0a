// Every log the original Cockpit wrote (test/fixtures/logs) reads, becomes envelopes, survives the protobuf codec
// and is written back byte for byte.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEnvelope, encodeEnvelope, validateEnvelope, type Quantity } from '@flightdeck/core';
import { cockpitLogToEnvelopes, cockpitLogToRecords, formatCockpitLog, parseCockpitLog, recordsToCockpitLog } from '../../src/log/index.js';

const DIR = join(__dirname, '../fixtures/logs');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.cockpit_log.json')).sort();
/** Examples × parameters per problem: the number of gradient elements each histogram counts. */
const ELEMENTS: Record<string, number> = { mlp: 8 * 53, cnn: 4 * 77, sigmoid_mse: 10 * 44 };
const NAMES = ['0.weight', '0.bias', '2.weight', '2.bias'];

test('all twelve golden logs are present', () => {
  expect(FILES).toHaveLength(12);
});

describe.each(FILES)('%s', (file) => {
  const text = readFileSync(join(DIR, file), 'utf8');
  const log = parseCockpitLog(text, file);

  test('records → log text is byte-identical to the original', () => {
    expect(formatCockpitLog(recordsToCockpitLog(cockpitLogToRecords(log)))).toBe(text);
  });

  test('envelopes pass validation and the protobuf codec, and write back identically', () => {
    const envelopes = cockpitLogToEnvelopes(log, { runId: `golden-${file.replace(/\.json$/, '')}`, parameterNames: NAMES });
    const decoded = envelopes.map((env) => {
      expect(validateEnvelope(env)).toBeUndefined();
      const r = decodeEnvelope(encodeEnvelope(env));
      if (!r.ok) throw r.error;
      return r.envelope;
    });
    expect(formatCockpitLog(recordsToCockpitLog(decoded))).toBe(text);
  });

  test('values land where the stream carries them (compared with JSON.parse of the file)', () => {
    const plain = JSON.parse(text) as Record<string, Record<string, unknown>>;
    const records = cockpitLogToRecords(log, { parameterNames: NAMES });
    const steps = records.flatMap((r) => (r.step ? [r.step] : []));
    const quantity = (step: number, name: string, param = '') =>
      steps.find((s) => s.step === step)?.quantities?.find((q: Quantity) => q.name === name && (q.param ?? '') === param);
    for (const [key, entry] of Object.entries(plain)) {
      const t = Number(key);
      if ('Alpha' in entry) {
        const q = quantity(t + 1, 'Alpha')!;
        expect(q.forStep).toBe(t);
        expect(q.scalar).toBe(entry.Alpha);
      }
      if ('GradNorm' in entry) expect(quantity(t, 'GradNorm')!.vector).toEqual({ values: entry.GradNorm, labels: NAMES });
      if ('Loss' in entry) expect(steps.find((s) => s.step === t)!.loss).toBe(entry.Loss);
      const problem = file.split('.')[0];
      const h1 = quantity(t, 'GradHist1d')?.histogram1d;
      if (h1) expect(h1.counts!.reduce((a: number, b: number) => a + b, 0)).toBe(ELEMENTS[problem]);
      const h2 = quantity(t, 'GradHist2d')?.histogram2d;
      if (h2) expect(h2.counts!.reduce((a: number, b: number) => a + b, 0)).toBe(ELEMENTS[problem]);
      const perParam = NAMES.map((n) => quantity(t, 'GradHist2d', n)?.histogram2d).filter((h) => h !== undefined);
      if (perParam.length) {
        expect(perParam).toHaveLength(4);
        // The per-parameter histograms of a step add up to the total one.
        const sum = perParam.reduce((acc, h) => acc.map((c: number, i: number) => c + h!.counts![i]), new Array<number>(h2!.counts!.length).fill(0));
        expect(sum).toEqual(h2!.counts);
      }
    }
    // The two-step quantities of the last step are absent, so no record for step 4 appears.
    expect(Math.max(...steps.map((s) => s.step!))).toBe(3);
  });
});
