import { decodeEnvelope, encodeEnvelope, validateEnvelope, DEFAULT_LIMITS, type Envelope, bodyKind, EnvelopeError, schema, RunStatus } from '../src/index.js';

const base = { schemaVersion: 1, runId: 'run-1', timeUnixUs: 1_700_000_000_000_000 };

/** One envelope of every record kind, with every value kind a quantity can carry. */
export const everyKind: Envelope[] = [
  {
    ...base,
    seq: 0,
    runStarted: {
      testProblem: 'cifar10_3c3d',
      optimizer: 'MomentumOptimizer',
      hyperparameters: { lr: { number: 0.01 }, momentum: { number: 0.9 }, nesterov: { boolean: false }, name: { text: 'x' } },
      seed: 42,
      batchSize: 128,
      numEpochs: 100,
      lrSchedule: { name: 'step', baseLr: 0.01, epochs: [50, 75], factors: [0.1, 0.01], params: {} },
      framework: 'tfjs',
      frameworkVersion: '4.22.0',
      backend: 'wasm',
      host: 'h',
      instruments: { preset: 'economy', quantities: [{ name: 'Alpha', schedule: { kind: schema.Schedule.Kind.LINEAR, interval: 1 }, options: {} }] },
      weightDecay: 0.002,
      trainLogInterval: 10,
      trainingParams: { lr_sched_epochs: { list: { values: [{ integer: 50 }, { integer: 75 }] } }, nothing: { null: true } },
      parameterNames: ['conv1/kernel', 'conv1/bias'],
      dataset: 'cifar10',
      labels: { commit: 'abc' },
    },
  },
  {
    ...base,
    seq: 1,
    step: {
      step: 0,
      epoch: 0,
      loss: Number.NaN,
      quantities: [
        { name: 'Alpha', scalar: 0.3, forStep: 0 },
        { name: 'GradNorm', vector: { values: [1, 2], labels: ['a', 'b'] } },
        { name: 'GradHist1d', histogram1d: { edges: [-1, 0, 1], counts: [3, 4] } },
        { name: 'GradHist2d', param: 'a', histogram2d: { xEdges: [0, 1, 2], yEdges: [0, 1], counts: [1, 2] } },
        { name: 'Parameters', tensors: { tensors: [{ name: 'a', shape: [2, 2], values: [1, 2, 3, 4], layout: 'tfjs' }] } },
        { name: 'Time', scalar: Infinity },
      ],
    },
  },
  { ...base, seq: 2, evaluation: { epoch: 1, trainLoss: 2.3, testAccuracy: 0.1, learningRate: 0.01, step: 390, source: 'onnx' } },
  { ...base, seq: 3, checkpoint: { epoch: 1, step: 390, format: 'onnx', data: new Uint8Array([1, 2, 3]), sha256: 'ff' } },
  { ...base, seq: 4, heartbeat: { step: 400 } },
  { ...base, seq: 5, runFinished: { status: RunStatus.DIVERGED, message: 'loss NaN at step 400', lastStep: 400, lastEpoch: 1 } },
];

/** Typed arrays as plain arrays, so that Buffer and Uint8Array compare by content. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

describe('envelope codec', () => {
  it.each(everyKind.map((e) => [bodyKind(e)!, e] as const))('round-trips a %s envelope', (_kind, env) => {
    const decoded = decodeEnvelope(encodeEnvelope(env));
    if (!decoded.ok) throw decoded.error;
    expect(bodyKind(decoded.envelope)).toBe(bodyKind(env));
    expect(plain(decoded.envelope)).toMatchObject(plain(env) as object);
  });

  it('keeps NaN and infinite losses and quantity values', () => {
    const d = decodeEnvelope(encodeEnvelope(everyKind[1]));
    if (!d.ok) throw d.error;
    expect(d.envelope.step!.loss).toBeNaN();
    expect(d.envelope.step!.quantities![5].scalar).toBe(Infinity);
  });

  it('tells an absent optional loss from a zero loss', () => {
    const noLoss = decodeEnvelope(encodeEnvelope({ ...base, seq: 1, step: { step: 3, epoch: 0 } }));
    const zero = decodeEnvelope(encodeEnvelope({ ...base, seq: 1, step: { step: 3, epoch: 0, loss: 0 } }));
    expect(noLoss.ok && noLoss.envelope.step!.loss).toBeUndefined();
    expect(zero.ok && zero.envelope.step!.loss).toBe(0);
  });

  const rejects: [string, Envelope, EnvelopeError['code'], string][] = [
    ['an unknown version', { ...base, schemaVersion: 2, seq: 0, heartbeat: {} }, 'unknown_version', 'schemaVersion'],
    ['a missing run id', { ...base, runId: '', seq: 0, heartbeat: {} }, 'invalid', 'runId'],
    ['a run id with a slash', { ...base, runId: 'a/b', seq: 0, heartbeat: {} }, 'invalid', 'runId'],
    ['no body', { ...base, seq: 0 }, 'invalid', 'body'],
    ['non-increasing edges', { ...base, seq: 1, step: { step: 0, quantities: [{ name: 'GradHist1d', histogram1d: { edges: [0, 0, 1], counts: [1, 1] } }] } }, 'invalid', 'step.quantities[0](GradHist1d).histogram1d.edges[1]'],
    ['NaN edge', { ...base, seq: 1, step: { step: 0, quantities: [{ name: 'GradHist1d', histogram1d: { edges: [0, NaN], counts: [1] } }] } }, 'non_finite', 'step.quantities[0](GradHist1d).histogram1d.edges[1]'],
    ['wrong count length', { ...base, seq: 1, step: { step: 0, quantities: [{ name: 'H', histogram2d: { xEdges: [0, 1], yEdges: [0, 1, 2], counts: [1] } }] } }, 'invalid', 'step.quantities[0](H).histogram2d.counts'],
    ['a tensor whose shape does not fit', { ...base, seq: 1, step: { step: 0, quantities: [{ name: 'Parameters', tensors: { tensors: [{ name: 'w', shape: [2, 3], values: [1] }] } }] } }, 'invalid', 'step.quantities[0](Parameters).tensors[0].values'],
    ['an infinite hyperparameter', { ...base, seq: 0, runStarted: { hyperparameters: { lr: { number: Infinity } } } }, 'non_finite', 'runStarted.hyperparameters.lr'],
    ['a quantity without a value', { ...base, seq: 1, step: { step: 0, quantities: [{ name: 'Loss' }] } }, 'invalid', 'step.quantities[0]'],
  ];
  // Plain objects can hold what the wire cannot (two members of a oneof): only validation stands in the way.
  it('refuses an object with two bodies or a quantity with two values, for every kind', () => {
    const kinds = everyKind.map((e) => bodyKind(e)!);
    for (const a of everyKind) {
      for (const b of everyKind) {
        if (bodyKind(a) === bodyKind(b)) continue;
        const error = validateEnvelope({ ...b, ...a, runId: 'r', seq: 3 });
        expect(error?.message).toMatch(/several bodies/);
        expect(kinds.filter((k) => error!.message.includes(k)).sort()).toEqual([bodyKind(a), bodyKind(b)].sort());
      }
    }
    const values = { scalar: 1, vector: { values: [1] }, histogram1d: { edges: [0, 1], counts: [1] }, histogram2d: { xEdges: [0, 1], yEdges: [0, 1], counts: [1] }, tensors: { tensors: [] } };
    for (const [k1, v1] of Object.entries(values)) {
      for (const [k2, v2] of Object.entries(values)) {
        if (k1 === k2) continue;
        const env: Envelope = { ...base, seq: 1, step: { step: 0, quantities: [{ name: 'Q', [k1]: v1, [k2]: v2 }] } };
        expect(validateEnvelope(env)?.message).toMatch(new RegExp(`several values: .*(${k1}|${k2}).*(${k1}|${k2})`));
      }
      expect(validateEnvelope({ ...base, seq: 1, step: { step: 0, quantities: [{ name: 'Q', [k1]: v1 }] } })).toBeUndefined();
    }
  });

  it('checks the run id of every record, also one that repeats the last good id', () => {
    const good = { ...base, runId: 'run-1', seq: 0, heartbeat: {} };
    expect(validateEnvelope(good)).toBeUndefined();
    expect(validateEnvelope(good, { ...DEFAULT_LIMITS, maxRunIdLength: 3 })?.path).toBe('runId');
    expect(validateEnvelope({ ...good, runId: 'run 1' })?.path).toBe('runId');
    expect(validateEnvelope(good)).toBeUndefined();
  });

  it.each(rejects)('rejects %s with a typed error naming the field', (_what, env, code, path) => {
    const bytes = schema.Envelope.encode(env).finish();
    const d = decodeEnvelope(bytes);
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.error).toBeInstanceOf(EnvelopeError);
    expect(d.error.code).toBe(code);
    expect(d.error.path).toBe(path);
    expect(() => encodeEnvelope(env)).toThrow(EnvelopeError);
  });

  it('never throws on random or truncated bytes', () => {
    const good = encodeEnvelope(everyKind[1]);
    let rejected = 0;
    for (let cut = 0; cut < good.length; cut++) if (!decodeEnvelope(good.subarray(0, cut)).ok) rejected++;
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const b = new Uint8Array(1 + (i % 97));
      for (let j = 0; j < b.length; j++) b[j] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
      expect(() => decodeEnvelope(b)).not.toThrow();
    }
    expect(rejected).toBeGreaterThan(good.length / 2);
  });

  it('refuses frames over the size limit before decoding', () => {
    const d = decodeEnvelope(new Uint8Array(100), { maxEnvelopeBytes: 10, maxCheckpointBytes: 10, maxQuantitiesPerStep: 1, maxRunIdLength: 5 });
    expect(!d.ok && d.error.code).toBe('oversize');
  });
});
