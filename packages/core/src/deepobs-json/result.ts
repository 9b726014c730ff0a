// The typed DeepOBS result (one run, one JSON file) and its conversion from and to the 1.1 and 1.2 file formats.
import type { JsonValue } from '../schema/value.js';
import { dumpPythonJson, parsePythonJson, PyJsonSyntaxError, type PyJson } from '../pyjson/index.js';

export const METRIC_NAMES = ['train_losses', 'valid_losses', 'test_losses', 'train_accuracies', 'valid_accuracies', 'test_accuracies'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type DeepobsFormat = '1.1' | '1.2';
export type HyperparameterType = 'float' | 'int' | 'bool';

/** One DeepOBS run. Both file formats map onto it without loss (`format` says which one it came from). */
export interface DeepobsResult {
  format: DeepobsFormat;
  testproblem: string;
  /** The optimizer's folder name: `optimizer` (1.1) or `optimizer_name` (1.2), e.g. "MomentumOptimizer". */
  optimizer: string;
  batchSize: number;
  numEpochs: number;
  randomSeed: number;
  /** Explicit weight decay; null means the problem's default. */
  weightDecay: number | null;
  /** JSON key of the weight decay: DeepOBS writes "weight_decay", its TF 1.2 flavour (Crowded Valley) "l2_reg". */
  weightDecayKey: 'weight_decay' | 'l2_reg';
  /** Optimizer hyperparameters including the learning rate (a 1.1 file's top-level `learning_rate` is kept here). */
  hyperparams: Record<string, JsonValue>;
  /**
   * Python types of hyperparameters whose JS number alone does not say (an integral float such as lr = 1.0).
   * Runners fill it from the optimizer's spec; absent entries are guessed (integral → int, except learning rates).
   */
  hyperparamTypes?: Record<string, HyperparameterType>;
  /** 1.2 `training_params` (lr_sched_epochs, lr_sched_factors, ...); a 1.1 file's lr_sched_* keys are kept here. */
  trainingParams: Record<string, JsonValue>;
  /** Mini-batch losses are logged every this many steps (1.1 files carry it; we also write it into 1.2 files). */
  trainLogInterval?: number;
  /** Evaluation curves, num_epochs + 1 points each (epoch 0 = the untrained model). */
  metrics: Partial<Record<MetricName, number[]>>;
  minibatchTrainLosses?: number[];
  /** Keys neither format defines, kept exactly as read (ints as bigint) and written after the known ones. */
  extra: Record<string, PyJson>;
}

/** A file that could not be read as a DeepOBS result: says which file, and where or which key. */
export class DeepobsJsonError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly position?: { line: number; column: number; offset: number },
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DeepobsJsonError';
  }
}

export type ReadResult = { ok: true; result: DeepobsResult } | { ok: false; error: DeepobsJsonError };

const LR_KEYS = new Set(['lr', 'learning_rate']);
const FLOAT_TRAINING_PARAMS = new Set(['lr_sched_factors']);
const V11_KEYS = ['train_losses', 'test_losses', 'minibatch_train_losses', 'train_accuracies', 'test_accuracies', 'optimizer', 'testproblem', 'weight_decay', 'batch_size', 'num_epochs', 'learning_rate', 'lr_sched_epochs', 'lr_sched_factors', 'random_seed', 'train_log_interval', 'hyperparams'];
const V12_META = ['testproblem', 'batch_size', 'num_epochs', 'random_seed', 'weight_decay', 'l2_reg', 'optimizer_name', 'optimizer_hyperparams', 'training_params', 'train_log_interval', 'minibatch_train_losses', ...METRIC_NAMES];

/** Parses the text of a result file of either format. Never throws: a bad file is an error naming `file`. */
export function parseResult(text: string, file = '<text>'): ReadResult {
  let raw: PyJson;
  try {
    // The format says which fields are ints, so numbers suffice (and read at JSON.parse speed).
    raw = parsePythonJson(text, { source: file, ints: 'number' });
  } catch (e) {
    if (e instanceof PyJsonSyntaxError) {
      const { detail, line, column, offset } = e;
      return { ok: false, error: new DeepobsJsonError(file, `not valid JSON: ${detail} at line ${line}, column ${column}`, { line, column, offset }) };
    }
    throw e;
  }
  try {
    const result = fromObject(raw);
    const extraKeys = Object.keys(result.extra);
    if (extraKeys.length > 0) {
      // Keys neither format defines keep the file's own ints and floats, which only the exact reading has.
      const exact = parsePythonJson(text, { source: file }) as { [key: string]: PyJson };
      result.extra = Object.fromEntries(extraKeys.map((k) => [k, exact[k]]));
    }
    return { ok: true, result };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: new DeepobsJsonError(file, e.message) };
    throw e;
  }
}

class FieldError extends Error {}

function fromObject(raw: PyJson): DeepobsResult {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FieldError('a DeepOBS result is a JSON object');
  const o = raw;
  const is12 = 'optimizer_name' in o || 'optimizer_hyperparams' in o;
  const format: DeepobsFormat = is12 ? '1.2' : '1.1';
  const known = new Set(is12 ? V12_META : V11_KEYS);
  const metrics: Partial<Record<MetricName, number[]>> = {};
  for (const m of METRIC_NAMES) if (o[m] !== undefined && o[m] !== null) metrics[m] = numberList(o, m);
  for (const m of ['train_losses', 'test_losses'] as const) if (!metrics[m]) throw new FieldError(`missing "${m}"`);
  const weightDecayKey = 'l2_reg' in o && !('weight_decay' in o) ? 'l2_reg' : 'weight_decay';
  const result: DeepobsResult = {
    format,
    testproblem: str(o, 'testproblem'),
    optimizer: str(o, is12 ? 'optimizer_name' : 'optimizer'),
    batchSize: int(o, 'batch_size'),
    numEpochs: int(o, 'num_epochs'),
    randomSeed: int(o, 'random_seed'),
    weightDecay: nullableNumber(o, weightDecayKey),
    weightDecayKey,
    hyperparams: is12 ? jsonMap(o, 'optimizer_hyperparams') : { ...jsonMap(o, 'hyperparams'), learning_rate: num(o, 'learning_rate') },
    trainingParams: is12
      ? jsonMap(o, 'training_params')
      : { lr_sched_epochs: jsonValue(o.lr_sched_epochs ?? null, 'lr_sched_epochs'), lr_sched_factors: jsonValue(o.lr_sched_factors ?? null, 'lr_sched_factors') },
    metrics,
    extra: Object.fromEntries(Object.entries(o).filter(([k]) => !known.has(k))),
  };
  if (!is12 || o.train_log_interval !== undefined) result.trainLogInterval = int(o, 'train_log_interval');
  if (o.minibatch_train_losses !== undefined) result.minibatchTrainLosses = numberList(o, 'minibatch_train_losses');
  return result;
}

function str(o: Record<string, PyJson>, k: string): string {
  if (typeof o[k] !== 'string') throw new FieldError(`"${k}" must be a string, got ${describe(o[k])}`);
  return o[k] as string;
}
function num(o: Record<string, PyJson>, k: string): number {
  if (typeof o[k] !== 'number') throw new FieldError(`"${k}" must be a number, got ${describe(o[k])}`);
  return o[k] as number;
}
function int(o: Record<string, PyJson>, k: string): number {
  const v = num(o, k);
  if (!Number.isInteger(v)) throw new FieldError(`"${k}" must be an integer, got ${v}`);
  return v;
}
function nullableNumber(o: Record<string, PyJson>, k: string): number | null {
  return o[k] === null || o[k] === undefined ? null : num(o, k);
}
function numberList(o: Record<string, PyJson>, k: string): number[] {
  const v = o[k];
  if (!Array.isArray(v)) throw new FieldError(`"${k}" must be a list of numbers, got ${describe(v)}`);
  // Python writes NaN as a bare token; a null (other writers' convention for NaN) is read as NaN too.
  return v.map((x, i) => {
    if (x === null) return NaN;
    if (typeof x !== 'number') throw new FieldError(`"${k}"[${i}] must be a number, got ${describe(x)}`);
    return x;
  });
}
function jsonMap(o: Record<string, PyJson>, k: string): Record<string, JsonValue> {
  const v = o[k];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FieldError(`"${k}" must be an object, got ${describe(v)}`);
  return Object.fromEntries(Object.entries(v).map(([name, x]) => [name, jsonValue(x, `${k}.${name}`)]));
}
function jsonValue(v: PyJson, where: string): JsonValue {
  if (Array.isArray(v)) return v.map((x, i) => jsonValue(x, `${where}[${i}]`));
  if (v !== null && typeof v === 'object') throw new FieldError(`"${where}" must be a number, string, boolean, null or list, got an object`);
  return typeof v === 'bigint' ? Number(v) : v;
}
function describe(v: PyJson | undefined): string {
  if (v === undefined) return 'nothing (key missing)';
  if (Array.isArray(v)) return 'a list';
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : JSON.stringify(v);
}

/** Whether DeepOBS (Python) holds this hyperparameter as a float. */
export function isFloatHyperparam(result: Pick<DeepobsResult, 'hyperparamTypes'>, name: string, value: JsonValue): boolean {
  const t = result.hyperparamTypes?.[name];
  if (t) return t === 'float';
  return typeof value === 'number' && (!Number.isInteger(value) || LR_KEYS.has(name));
}

/** A JSON-like value as Python holds it: numbers are floats where `asFloat` or not integral (-0 included), else ints. */
function pyValue(v: JsonValue, asFloat = false): PyJson {
  if (typeof v === 'number') return asFloat || !Number.isInteger(v) || Object.is(v, -0) ? v : BigInt(v);
  if (Array.isArray(v)) return v.map((x) => pyValue(x, asFloat));
  return v;
}

function pyHyperparams(r: DeepobsResult, hps: Record<string, JsonValue>): Record<string, PyJson> {
  return Object.fromEntries(Object.entries(hps).map(([k, v]) => [k, pyValue(v, isFloatHyperparam(r, k, v))]));
}

function pyTrainingParams(tp: Record<string, JsonValue>): Record<string, PyJson> {
  return Object.fromEntries(Object.entries(tp).map(([k, v]) => [k, pyValue(v, FLOAT_TRAINING_PARAMS.has(k))]));
}

/**
 * The file text, as DeepOBS writes it: 1.1 flat with ", " separators, 1.2 with indent 4. Non-finite values are
 * written as Python writes them (bare NaN / Infinity), so the original DeepOBS tools can read our files.
 */
export function formatResult(r: DeepobsResult, format: DeepobsFormat = r.format): string {
  const m = r.metrics;
  // Curves, weight decay and learning rate are floats (numbers) even where a value is integral.
  const curve = (k: MetricName): Record<string, PyJson> => (m[k] ? { [k]: m[k] } : {});
  const minibatch: Record<string, PyJson> = r.minibatchTrainLosses ? { minibatch_train_losses: r.minibatchTrainLosses } : {};
  let o: Record<string, PyJson>;
  if (format === '1.1') {
    const { learning_rate: lr, ...hps } = r.hyperparams;
    if (typeof lr !== 'number') throw new TypeError(`a DeepOBS 1.1 file needs hyperparams.learning_rate (run ${describeRun(r)})`);
    if (m.valid_losses || m.valid_accuracies) throw new TypeError(`DeepOBS 1.1 has no validation curves (run ${describeRun(r)})`);
    const { lr_sched_epochs = null, lr_sched_factors = null, ...otherParams } = r.trainingParams;
    if (Object.keys(otherParams).length > 0)
      throw new TypeError(`DeepOBS 1.1 has no training parameter ${Object.keys(otherParams).join(', ')} (run ${describeRun(r)})`);
    o = {
      ...curve('train_losses'),
      ...curve('test_losses'),
      ...minibatch,
      ...curve('train_accuracies'),
      ...curve('test_accuracies'),
      optimizer: r.optimizer,
      testproblem: r.testproblem,
      [r.weightDecayKey]: r.weightDecay,
      batch_size: pyValue(r.batchSize),
      num_epochs: pyValue(r.numEpochs),
      learning_rate: lr,
      lr_sched_epochs: pyValue(lr_sched_epochs),
      lr_sched_factors: pyValue(lr_sched_factors, true),
      random_seed: pyValue(r.randomSeed),
      train_log_interval: pyValue(r.trainLogInterval ?? 1),
      hyperparams: pyHyperparams(r, hps),
      ...r.extra,
    };
    return dumpPythonJson(o);
  }
  o = {
    testproblem: r.testproblem,
    batch_size: pyValue(r.batchSize),
    num_epochs: pyValue(r.numEpochs),
    random_seed: pyValue(r.randomSeed),
    [r.weightDecayKey]: r.weightDecay,
    optimizer_name: r.optimizer,
    optimizer_hyperparams: pyHyperparams(r, r.hyperparams),
    training_params: pyTrainingParams(r.trainingParams),
    ...(r.trainLogInterval !== undefined ? { train_log_interval: pyValue(r.trainLogInterval) } : {}),
    ...curve('train_losses'),
    ...curve('valid_losses'),
    ...curve('test_losses'),
    ...minibatch,
    ...curve('train_accuracies'),
    ...curve('valid_accuracies'),
    ...curve('test_accuracies'),
    ...r.extra,
  };
  return dumpPythonJson(o, { indent: 4 });
}

/** "problem/optimizer seed s", for messages. */
export function describeRun(r: Pick<DeepobsResult, 'testproblem' | 'optimizer' | 'randomSeed'>): string {
  return `${r.testproblem}/${r.optimizer} seed ${r.randomSeed}`;
}

/**
 * DeepOBS 1.2 `check_output` for one result: the curves have num_epochs + 1 points, schedules are consistent.
 * Returns the problems found (empty when the result is well-formed).
 */
export function checkResult(r: DeepobsResult): string[] {
  const problems: string[] = [];
  const want = r.numEpochs + 1;
  for (const k of METRIC_NAMES) {
    const c = r.metrics[k];
    if (c && c.length !== want) problems.push(`${k} has ${c.length} entries, expected num_epochs + 1 = ${want}`);
  }
  if (r.format === '1.2' && !r.metrics.valid_losses) problems.push('valid_losses missing');
  const hasAcc = METRIC_NAMES.filter((k) => k.endsWith('accuracies') && r.metrics[k]).length;
  if (hasAcc > 0 && hasAcc < (r.format === '1.2' ? 3 : 2)) problems.push('some accuracy curves are present and others missing');
  const e = r.trainingParams.lr_sched_epochs;
  const f = r.trainingParams.lr_sched_factors;
  if ((e == null) !== (f == null) || (Array.isArray(e) && Array.isArray(f) && e.length !== f.length))
    problems.push('lr_sched_epochs and lr_sched_factors must both be given, with one factor per epoch');
  if (r.batchSize <= 0) problems.push(`batch_size must be positive, got ${r.batchSize}`);
  return problems;
}
