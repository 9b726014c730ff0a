// Records (StepRecord / EvaluationRecord) ↔ the original Cockpit's log: {"<step>": {"<Quantity>" | <log() key>: value}}.
import type { Envelope, EvaluationRecord, PyJson, Quantity, StepRecord, Tensor } from '@flightdeck/core';
import { LogFormatError } from './errors.js';
import { decodeNdArray, encodeNdArray, nest, shapeSize, type FloatDtype } from './ndarray.js';
import { EPOCH_KEY, LOG_KEYS, SHIFTED_QUANTITIES, isLogKey } from './names.js';

/** A parsed log: global step → the keys written at that step. */
export type CockpitLog = Map<number, { [key: string]: PyJson }>;

/** The records a Cockpit log holds: what the stream carries in `Envelope.step` and `Envelope.evaluation`. */
export type LogRecord = { step: StepRecord; evaluation?: undefined } | { evaluation: EvaluationRecord; step?: undefined };

export interface ReadOptions {
  /** Parameter names in model order: they become Vector labels, Tensor names and per-parameter GradHist2d names. */
  parameterNames?: readonly string[];
  /** Names the log in error messages. */
  source?: string;
}

type PyObject = { [key: string]: PyJson };
const isObject = (v: PyJson): v is PyObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const PARAM_KEY = /^param_(\d+)$/;

/** The records of a log, ordered by step: at each step its evaluation (if `log()` was called) before its StepRecord. */
export function cockpitLogToRecords(log: CockpitLog, options: ReadOptions = {}): LogRecord[] {
  const source = options.source ?? 'log';
  const names = options.parameterNames;
  const steps = [...log.keys()].sort((a, b) => a - b);
  const byStep = new Map<number, Quantity[]>();
  const add = (step: number, q: Quantity) => {
    const list = byStep.get(step) ?? [];
    list.push(q);
    byStep.set(step, list);
  };
  const evaluations = new Map<number, EvaluationRecord>();
  const losses = new Map<number, number>();

  for (const step of steps) {
    const entry = log.get(step)!;
    const where = (key: string) => `${source} "${step}".${key}`;
    if (Object.keys(entry).some(isLogKey)) evaluations.set(step, readEvaluation(entry, step, where));
    for (const key of Object.keys(entry).sort()) {
      if (isLogKey(key)) continue;
      const shifted = SHIFTED_QUANTITIES.includes(key);
      for (const q of readQuantity(key, entry[key], names, where(key))) {
        if (shifted) add(step + 1, { ...q, forStep: step });
        else add(step, q);
      }
      if (key === 'Loss') losses.set(step, Number(entry[key]));
    }
  }

  const out: LogRecord[] = [];
  let epoch = 0;
  const allSteps = [...new Set([...evaluations.keys(), ...byStep.keys()])].sort((a, b) => a - b);
  for (const step of allSteps) {
    const evaluation = evaluations.get(step);
    if (evaluation) {
      out.push({ evaluation });
      epoch = evaluation.epoch ?? epoch;
    }
    const quantities = byStep.get(step);
    if (quantities) {
      const record: StepRecord = { step, epoch, quantities };
      if (losses.has(step)) record.loss = losses.get(step);
      out.push({ step: record });
    }
  }
  return out;
}

function readEvaluation(entry: PyObject, step: number, where: (key: string) => string): EvaluationRecord {
  const epoch = entry[EPOCH_KEY];
  if (typeof epoch !== 'bigint' && !(typeof epoch === 'number' && Number.isInteger(epoch)))
    throw new LogFormatError(where(EPOCH_KEY), `log() keys need an integer epoch_count, found ${String(epoch)}`);
  const record: EvaluationRecord = { epoch: Number(epoch), step };
  for (const [key, field] of Object.entries(LOG_KEYS)) {
    const v = entry[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new LogFormatError(where(key), `expected a number, found ${JSON.stringify(v)}`);
    record[field] = Number(v);
  }
  return record;
}

/** Non-finite values some writers quote (json_tricks configured to be strict-JSON friendly); Python's default is bare. */
const QUOTED_SPECIAL: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function readNumber(v: PyJson, where: string): number {
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v in QUOTED_SPECIAL) return QUOTED_SPECIAL[v];
  throw new LogFormatError(where, `expected a number, found ${JSON.stringify(v)}`);
}

function readNumbers(v: PyJson, where: string): number[] {
  if (!Array.isArray(v)) throw new LogFormatError(where, 'expected a list of numbers');
  return v.map((x, i) => readNumber(x, `${where}[${i}]`));
}

function labelsFor(count: number, names: readonly string[] | undefined, where: string): string[] {
  if (!names) return [];
  if (names.length !== count) throw new LogFormatError(where, `${count} values but ${names.length} parameter names`);
  return [...names];
}

function readQuantity(name: string, v: PyJson, names: readonly string[] | undefined, where: string): Quantity[] {
  if (name === 'GradHist1d') return [{ name, histogram1d: readHistogram1d(v, where) }];
  if (name === 'GradHist2d') return readHistogram2d(v, names, where);
  if (name === 'Parameters') return [{ name, tensors: { tensors: readTensors(v, names, where) } }];
  if (Array.isArray(v)) {
    const values = readNumbers(v, where);
    return [{ name, vector: { values, labels: labelsFor(values.length, names, where) } }];
  }
  return [{ name, scalar: readNumber(v, where) }];
}

function readHistogram1d(v: PyJson, where: string): Quantity['histogram1d'] {
  if (!isObject(v)) throw new LogFormatError(where, 'expected {"edges", "hist"}');
  const edges = decodeNdArray(v.edges, `${where}.edges`);
  const hist = decodeNdArray(v.hist, `${where}.hist`);
  if (edges.shape.length !== 1 || hist.shape.length !== 1 || edges.values.length !== hist.values.length + 1)
    throw new LogFormatError(where, `edges of shape [${edges.shape}] do not fit hist of shape [${hist.shape}]`);
  return { edges: edges.values, counts: hist.values };
}

function readHist2d(v: PyJson, where: string): NonNullable<Quantity['histogram2d']> {
  if (!isObject(v) || !Array.isArray(v.edges) || v.edges.length !== 2) throw new LogFormatError(where, 'expected {"edges": [x, y], "hist"}');
  const x = decodeNdArray(v.edges[0], `${where}.edges[0]`);
  const y = decodeNdArray(v.edges[1], `${where}.edges[1]`);
  const hist = decodeNdArray(v.hist, `${where}.hist`);
  if (hist.shape.length !== 2 || hist.shape[0] !== x.values.length - 1 || hist.shape[1] !== y.values.length - 1)
    throw new LogFormatError(where, `hist of shape [${hist.shape}] does not fit ${x.values.length} x edges and ${y.values.length} y edges`);
  return { xEdges: x.values, yEdges: y.values, counts: hist.values };
}

function readHistogram2d(v: PyJson, names: readonly string[] | undefined, where: string): Quantity[] {
  const out: Quantity[] = [{ name: 'GradHist2d', histogram2d: readHist2d(v, where) }];
  const obj = v as PyObject;
  const groups = obj.param_groups;
  const keys = Object.keys(obj).filter((k) => PARAM_KEY.test(k));
  if (groups === undefined && keys.length === 0) return out;
  if (typeof groups !== 'bigint' || Number(groups) !== keys.length)
    throw new LogFormatError(`${where}.param_groups`, `says ${String(groups)} but ${keys.length} param_k entries are present`);
  for (let k = 0; k < keys.length; k++) {
    if (!(`param_${k}` in obj)) throw new LogFormatError(where, `param_${k} is missing`);
    const param = names?.[k] ?? `param_${k}`;
    out.push({ name: 'GradHist2d', param, histogram2d: readHist2d(obj[`param_${k}`], `${where}.param_${k}`) });
  }
  return out;
}

function inferShape(v: PyJson): number[] {
  const shape: number[] = [];
  for (let node = v; Array.isArray(node); node = node[0]) shape.push(node.length);
  return shape;
}

function readTensors(v: PyJson, names: readonly string[] | undefined, where: string): Tensor[] {
  if (!Array.isArray(v)) throw new LogFormatError(where, 'expected a list with one nested list per parameter');
  if (names && names.length !== v.length) throw new LogFormatError(where, `${v.length} parameters but ${names.length} parameter names`);
  return v.map((p, k) => {
    const shape = inferShape(p);
    const values: number[] = [];
    const walk = (node: PyJson, depth: number, path: string) => {
      if (depth === shape.length) return void values.push(readNumber(node, `${where}[${k}]${path}`));
      if (!Array.isArray(node) || node.length !== shape[depth]) throw new LogFormatError(`${where}[${k}]${path}`, 'ragged nested list');
      node.forEach((x, i) => walk(x, depth + 1, `${path}[${i}]`));
    };
    walk(p, 0, '');
    return { name: names?.[k] ?? '', shape, values };
  });
}

export interface WriteOptions {
  /** numpy dtype written for float arrays (histogram edges and 1-D counts); the original writes torch's default dtype. */
  floatDtype?: FloatDtype;
  /** Parameter order for per-parameter GradHist2d (`param_k`); defaults to RunStarted.parameterNames, then record order. */
  parameterNames?: readonly string[];
}

/**
 * The log the original Cockpit would write for these records. Accepts envelopes (other bodies are skipped; a
 * RunStarted supplies the parameter order) or bare `{ step }` / `{ evaluation }` records. Evaluations computed by
 * the bridge's ONNX check (`source: "onnx"`) are not Cockpit's log() data and are left out.
 */
export function recordsToCockpitLog(records: Iterable<Envelope | LogRecord>, options: WriteOptions = {}): CockpitLog {
  const floatDtype = options.floatDtype ?? 'float64';
  let names = options.parameterNames;
  const log: CockpitLog = new Map();
  const perParam = new Map<number, PyObject[]>();
  const put = (step: number, key: string, value: PyJson, origin: string) => {
    const entry = log.get(step) ?? {};
    if (key in entry) throw new LogFormatError(`step ${step}.${key}`, `written twice (second time by ${origin})`);
    entry[key] = value;
    log.set(step, entry);
  };
  let runId: string | undefined;
  for (const r of records) {
    const env = r as Envelope;
    if (env.runId) {
      if (runId !== undefined && env.runId !== runId) throw new LogFormatError(`run ${env.runId}`, `a Cockpit log holds one run, but records of ${runId} came first`);
      runId = env.runId;
    }
    if (env.runStarted && !names && env.runStarted.parameterNames?.length) names = env.runStarted.parameterNames;
    if (env.evaluation) writeEvaluation(env.evaluation, put);
    if (!env.step) continue;
    const rec = env.step;
    for (const q of rec.quantities ?? []) {
      const step = Number(q.forStep ?? rec.step ?? 0);
      const origin = `record of step ${rec.step ?? 0}`;
      const where = `step ${step}.${q.name}${q.param ? `[${q.param}]` : ''}`;
      if (q.param) {
        if (q.name !== 'GradHist2d' || !q.histogram2d)
          throw new LogFormatError(where, 'the Cockpit log format has no place for per-parameter values other than GradHist2d');
        const list = perParam.get(step) ?? [];
        const k = names ? names.indexOf(q.param) : list.length;
        if (k < 0) throw new LogFormatError(where, `parameter ${q.param} is not among the run's parameter names`);
        list[k] = encodeHist2d(q.histogram2d, floatDtype, where);
        perParam.set(step, list);
        continue;
      }
      put(step, q.name ?? '', encodeQuantity(q, floatDtype, where), origin);
    }
  }
  for (const [step, list] of perParam) {
    const total = log.get(step)?.GradHist2d;
    if (!isObject(total ?? null)) throw new LogFormatError(`step ${step}.GradHist2d`, 'per-parameter histograms without the total one');
    const target = total as PyObject;
    for (let k = 0; k < list.length; k++) {
      if (!list[k]) throw new LogFormatError(`step ${step}.GradHist2d`, `no histogram for parameter ${names?.[k] ?? k}`);
      target[`param_${k}`] = list[k];
    }
    target.param_groups = BigInt(list.length);
  }
  return log;
}

function writeEvaluation(e: EvaluationRecord, put: (step: number, key: string, value: PyJson, origin: string) => void): void {
  if (e.source && e.source !== 'trainer') return;
  if (e.step == null) throw new LogFormatError(`evaluation of epoch ${e.epoch ?? 0}`, 'has no step; the Cockpit log files log() values under the global step');
  const step = Number(e.step);
  const origin = `evaluation of epoch ${e.epoch ?? 0}`;
  put(step, EPOCH_KEY, BigInt(e.epoch ?? 0), origin);
  // log() always writes all of its keys; a metric the run does not have is None there.
  for (const [key, field] of Object.entries(LOG_KEYS)) put(step, key, e[field] ?? null, origin);
}

function encodeQuantity(q: Quantity, floatDtype: FloatDtype, where: string): PyJson {
  if (q.scalar != null) return q.scalar;
  if (q.vector) return [...(q.vector.values ?? [])];
  if (q.histogram1d) {
    const edges = q.histogram1d.edges ?? [];
    const counts = q.histogram1d.counts ?? [];
    return {
      edges: encodeNdArray(edges, [edges.length], floatDtype, `${where}.edges`),
      hist: encodeNdArray(counts, [counts.length], floatDtype, `${where}.hist`),
    };
  }
  if (q.histogram2d) return encodeHist2d(q.histogram2d, floatDtype, where);
  if (q.tensors) {
    return (q.tensors.tensors ?? []).map((t: Tensor, k: number) => {
      const shape = t.shape ?? [];
      const values = t.values ?? [];
      if (shapeSize(shape) !== values.length) throw new LogFormatError(`${where}[${k}]`, `${values.length} values do not fill shape [${shape}]`);
      return nest(values, shape, (x) => x);
    });
  }
  throw new LogFormatError(where, 'quantity has no value');
}

function encodeHist2d(h: NonNullable<Quantity['histogram2d']>, floatDtype: FloatDtype, where: string): PyObject {
  const x = h.xEdges ?? [];
  const y = h.yEdges ?? [];
  return {
    edges: [encodeNdArray(x, [x.length], floatDtype, `${where}.edges[0]`), encodeNdArray(y, [y.length], floatDtype, `${where}.edges[1]`)],
    // torch counts the 2-D histogram into an integer tensor, so json_tricks writes int64.
    hist: encodeNdArray(h.counts ?? [], [x.length - 1, y.length - 1], 'int64', `${where}.hist`),
  };
}
