import type { Envelope, Histogram1D, Histogram2D, Quantity, Tensor, Value } from '../schema/index.js';
import { BODY_KINDS, SCHEMA_VERSION } from '../schema/index.js';
import { EnvelopeError } from './errors.js';
import { DEFAULT_LIMITS, type CodecLimits } from './limits.js';

const RUN_ID = /^[A-Za-z0-9._:-]+$/;

/**
 * Checks what the wire format cannot: a known version, one body, a sane run id, consistent histogram and tensor
 * shapes, and finite structural numbers. Losses and quantity values may be NaN or infinite (divergence is data).
 * Returns the first problem found, or undefined.
 */
export function validateEnvelope(env: Envelope, limits: CodecLimits = DEFAULT_LIMITS): EnvelopeError | undefined {
  const runId = env.runId ?? '';
  const seq = env.seq == null ? undefined : Number(env.seq);
  const fail = (code: EnvelopeError['code'], path: string, detail: string) => new EnvelopeError(code, path, detail, runId || undefined, seq);
  try {
    if (env.schemaVersion !== SCHEMA_VERSION) return fail('unknown_version', 'schemaVersion', `version ${env.schemaVersion ?? 'missing'}, this build knows ${SCHEMA_VERSION}`);
    if (!runId) return fail('invalid', 'runId', 'missing run id');
    if (runId.length > limits.maxRunIdLength) return fail('invalid', 'runId', `longer than ${limits.maxRunIdLength} characters`);
    if (!RUN_ID.test(runId)) return fail('invalid', 'runId', 'only letters, digits and . _ : - are allowed');
    if (seq === undefined || !Number.isSafeInteger(seq) || seq < 0) return fail('invalid', 'seq', `bad sequence number ${String(env.seq)}`);
    const bodies = BODY_KINDS.filter((k) => env[k] != null);
    if (bodies.length !== 1) return fail('invalid', 'body', bodies.length ? `several bodies: ${bodies.join(', ')}` : 'no record in the envelope');
    checkBody(env, limits);
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return fail(e.code, e.path, e.message);
    throw e;
  }
}

class Problem extends Error {
  constructor(
    readonly code: EnvelopeError['code'],
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function finite(x: unknown, path: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new Problem('non_finite', path, `must be a finite number, got ${String(x)}`);
}

function checkBody(env: Envelope, limits: CodecLimits): void {
  if (env.runStarted) {
    const r = env.runStarted;
    for (const [k, v] of Object.entries(r.hyperparameters ?? {})) checkValue(v, `runStarted.hyperparameters.${k}`);
    for (const [k, v] of Object.entries(r.trainingParams ?? {})) checkValue(v, `runStarted.trainingParams.${k}`);
    if (r.weightDecay != null) finite(r.weightDecay, 'runStarted.weightDecay');
    if (r.lrSchedule) {
      finite(r.lrSchedule.baseLr ?? 0, 'runStarted.lrSchedule.baseLr');
      (r.lrSchedule.factors ?? []).forEach((f, i) => finite(f, `runStarted.lrSchedule.factors[${i}]`));
    }
  } else if (env.step) {
    const qs = env.step.quantities ?? [];
    if (qs.length > limits.maxQuantitiesPerStep) throw new Problem('oversize', 'step.quantities', `${qs.length} quantities, limit ${limits.maxQuantitiesPerStep}`);
    qs.forEach((q, i) => checkQuantity(q, `step.quantities[${i}]`));
  } else if (env.evaluation) {
    if (env.evaluation.learningRate != null) finite(env.evaluation.learningRate, 'evaluation.learningRate');
  } else if (env.checkpoint) {
    const c = env.checkpoint;
    if (c.data == null && !c.path) throw new Problem('invalid', 'checkpoint', 'neither model bytes nor a path');
    if (c.data && c.data.length > limits.maxCheckpointBytes) throw new Problem('oversize', 'checkpoint.data', `${c.data.length} bytes, limit ${limits.maxCheckpointBytes}`);
  }
}

function checkValue(v: Value, path: string): void {
  if (v.number != null) finite(v.number, path);
  (v.list?.values ?? []).forEach((x, i) => checkValue(x, `${path}[${i}]`));
}

function checkQuantity(q: Quantity, path: string): void {
  if (!q.name) throw new Problem('invalid', `${path}.name`, 'missing quantity name');
  const kinds = (['scalar', 'vector', 'histogram1d', 'histogram2d', 'tensors'] as const).filter((k) => q[k] != null);
  if (kinds.length !== 1) throw new Problem('invalid', path, kinds.length ? `several values: ${kinds.join(', ')}` : `quantity ${q.name} has no value`);
  const p = `${path}(${q.name})`;
  if (q.vector) {
    const { values = [], labels = [] } = q.vector;
    if (labels && labels.length && labels.length !== values?.length) throw new Problem('invalid', `${p}.vector.labels`, `${labels.length} labels for ${values?.length} values`);
  }
  if (q.histogram1d) checkHistogram1d(q.histogram1d, `${p}.histogram1d`);
  if (q.histogram2d) checkHistogram2d(q.histogram2d, `${p}.histogram2d`);
  (q.tensors?.tensors ?? []).forEach((t, i) => checkTensor(t, `${p}.tensors[${i}]`));
}

function checkEdges(edges: number[], path: string): void {
  if (edges.length < 2) throw new Problem('invalid', path, `needs at least 2 edges, got ${edges.length}`);
  edges.forEach((e, i) => {
    finite(e, `${path}[${i}]`);
    if (i > 0 && !(e > edges[i - 1])) throw new Problem('invalid', `${path}[${i}]`, 'edges must increase strictly');
  });
}

function checkCounts(counts: number[], expected: number, path: string): void {
  if (counts.length !== expected) throw new Problem('invalid', path, `${counts.length} counts, expected ${expected}`);
  counts.forEach((c, i) => {
    finite(c, `${path}[${i}]`);
    if (c < 0) throw new Problem('invalid', `${path}[${i}]`, `negative count ${c}`);
  });
}

function checkHistogram1d(h: Histogram1D, path: string): void {
  const edges = h.edges ?? [];
  checkEdges(edges, `${path}.edges`);
  checkCounts(h.counts ?? [], edges.length - 1, `${path}.counts`);
}

function checkHistogram2d(h: Histogram2D, path: string): void {
  const xe = h.xEdges ?? [];
  const ye = h.yEdges ?? [];
  checkEdges(xe, `${path}.xEdges`);
  checkEdges(ye, `${path}.yEdges`);
  checkCounts(h.counts ?? [], (xe.length - 1) * (ye.length - 1), `${path}.counts`);
}

function checkTensor(t: Tensor, path: string): void {
  const size = (t.shape ?? []).reduce((a, b) => a * b, 1);
  const n = t.values?.length ?? 0;
  if (size !== n) throw new Problem('invalid', `${path}.values`, `shape [${(t.shape ?? []).join(',')}] needs ${size} values, got ${n}`);
}
