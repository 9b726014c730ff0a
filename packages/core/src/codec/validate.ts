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
  try {
    if (env.schemaVersion !== SCHEMA_VERSION) throw new Problem('unknown_version', 'schemaVersion', `version ${env.schemaVersion ?? 'missing'}, this build knows ${SCHEMA_VERSION}`);
    checkRunId(runId, limits);
    if (seq === undefined || !Number.isSafeInteger(seq) || seq < 0) throw new Problem('invalid', 'seq', `bad sequence number ${String(env.seq)}`);
    if (bodyCount(env) !== 1) {
      const bodies = BODY_KINDS.filter((k) => env[k] != null);
      throw new Problem('invalid', 'body', bodies.length ? `several bodies: ${bodies.join(', ')}` : 'no record in the envelope');
    }
    checkBody(env, limits);
    return undefined;
  } catch (e) {
    if (e instanceof Problem) return new EnvelopeError(e.code, e.path, e.message, runId || undefined, seq);
    throw e;
  }
}

// Every record passes through here (the client validates what it sends, the ingest each one it receives), so the
// checks allocate nothing while all is well (field paths are built only for the error) and read fields by name:
// keyed reads over a list of field names are several times slower.

/** The run id a stream repeats in every record: checked against the pattern once, not per record. */
let lastGoodRunId = '';

function checkRunId(runId: string, limits: CodecLimits): void {
  if (!runId) throw new Problem('invalid', 'runId', 'missing run id');
  if (runId.length > limits.maxRunIdLength) throw new Problem('invalid', 'runId', `longer than ${limits.maxRunIdLength} characters`);
  if (runId === lastGoodRunId) return;
  if (!RUN_ID.test(runId)) throw new Problem('invalid', 'runId', 'only letters, digits and . _ : - are allowed');
  lastGoodRunId = runId;
}

/** How many of the BODY_KINDS are set. */
function bodyCount(env: Envelope): number {
  return present(env.runStarted) + present(env.step) + present(env.evaluation) + present(env.checkpoint) + present(env.runFinished) + present(env.heartbeat);
}

/** How many of the QUANTITY_KINDS are set. */
function valueCount(q: Quantity): number {
  return present(q.scalar) + present(q.vector) + present(q.histogram1d) + present(q.histogram2d) + present(q.tensors);
}

function present(field: unknown): number {
  return field == null ? 0 : 1;
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
    for (let i = 0; i < qs.length; i++) checkQuantity(qs[i], i);
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

const QUANTITY_KINDS = ['scalar', 'vector', 'histogram1d', 'histogram2d', 'tensors'] as const;

function checkQuantity(q: Quantity, index: number): void {
  const path = () => `step.quantities[${index}]`;
  if (!q.name) throw new Problem('invalid', `${path()}.name`, 'missing quantity name');
  if (valueCount(q) !== 1) {
    const kinds = QUANTITY_KINDS.filter((k) => q[k] != null);
    throw new Problem('invalid', path(), kinds.length ? `several values: ${kinds.join(', ')}` : `quantity ${q.name} has no value`);
  }
  // A scalar may be anything, NaN included (divergence is data).
  if (q.scalar != null) return;
  const p = `${path()}(${q.name})`;
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
