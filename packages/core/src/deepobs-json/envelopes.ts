// A run's envelope stream ⇄ a DeepOBS result, so that the runner, `flightdeck export` and any producer can write
// DeepOBS files from the one record stream, and stored DeepOBS files can be replayed as a stream.
import type { Envelope, EvaluationRecord, RunStarted } from '../schema/index.js';
import { RunStatus, SCHEMA_VERSION } from '../schema/index.js';
import { fromValueMap, toValueMap, type JsonValue } from '../schema/value.js';
import { dumpPythonJson, parsePythonJson } from '../pyjson/index.js';
import type { Sink } from '../stream/types.js';
import { writeResultFile } from './files.js';
import { checkResult, METRIC_NAMES, type DeepobsFormat, type DeepobsResult, type MetricName } from './result.js';

/** RunStarted labels that keep what the schema has no field for, so a result survives the trip through envelopes. */
const FORMAT_LABEL = 'deepobs_format';
const WEIGHT_DECAY_KEY_LABEL = 'deepobs_weight_decay_key';
const EXTRA_LABEL = 'deepobs_extra';

const METRIC_FIELDS: Record<MetricName, keyof EvaluationRecord> = {
  train_losses: 'trainLoss',
  valid_losses: 'validLoss',
  test_losses: 'testLoss',
  train_accuracies: 'trainAccuracy',
  valid_accuracies: 'validAccuracy',
  test_accuracies: 'testAccuracy',
};

/**
 * Collects one run's envelopes into a DeepOBS result: meta from RunStarted, mini-batch losses from StepRecords
 * every `train_log_interval` steps of each epoch (counted from the epoch's first StepRecord, as DeepOBS restarts
 * its counter each epoch), curves from the trainer's EvaluationRecords (ONNX re-evaluations are left out).
 */
export class DeepobsResultBuilder {
  private started?: RunStarted;
  private startedRunId = '';
  private readonly curves = new Map<MetricName, number[]>();
  private readonly minibatch: number[] = [];
  private epochFirstStep = new Map<number, number>();
  private status?: number;
  private message = '';
  private lastTimeUs = 0;

  constructor(private readonly defaultFormat: DeepobsFormat = '1.2') {}

  add(env: Envelope): void {
    this.lastTimeUs = Number(env.timeUnixUs ?? this.lastTimeUs);
    if (env.runStarted) {
      this.started = env.runStarted;
      this.startedRunId = env.runId ?? '';
    } else if (env.step) {
      const step = Number(env.step.step ?? 0);
      const epoch = env.step.epoch ?? 0;
      if (!this.epochFirstStep.has(epoch)) this.epochFirstStep.set(epoch, step);
      const interval = this.started?.trainLogInterval || 1;
      if (env.step.loss != null && (step - (this.epochFirstStep.get(epoch) as number)) % interval === 0) this.minibatch.push(env.step.loss);
    } else if (env.evaluation) {
      const ev = env.evaluation;
      if (ev.source && ev.source !== 'trainer') return;
      for (const m of METRIC_NAMES) {
        const v = ev[METRIC_FIELDS[m]];
        if (v == null) continue;
        let curve = this.curves.get(m);
        if (!curve) this.curves.set(m, (curve = []));
        curve[ev.epoch ?? 0] = Number(v);
      }
    } else if (env.runFinished) {
      this.status = env.runFinished.status ?? RunStatus.STATUS_UNSPECIFIED;
      this.message = env.runFinished.message ?? '';
    }
  }

  /** When the run finished (the RunFinished envelope's time), for the file name. */
  get finishedAt(): Date {
    return new Date(this.lastTimeUs / 1000);
  }

  get finished(): boolean {
    return this.status !== undefined;
  }

  /** The result; throws, naming the run, when the stream does not hold a complete (or diverged) run. */
  result(): DeepobsResult {
    const s = this.started;
    if (!s) throw new Error('DeepOBS result: the stream has no RunStarted envelope');
    const run = `run ${this.startedRunId} (${s.testProblem}/${s.optimizer} seed ${s.seed})`;
    if (this.status === undefined) throw new Error(`DeepOBS result: ${run} has no RunFinished envelope (still running or cut off)`);
    if (this.status !== RunStatus.COMPLETED && this.status !== RunStatus.DIVERGED)
      throw new Error(`DeepOBS result: ${run} did not complete (status ${RunStatus[this.status] ?? this.status}${this.message ? `: ${this.message}` : ''})`);
    const numEpochs = s.numEpochs ?? 0;
    const labels = s.labels ?? {};
    const format = labels[FORMAT_LABEL] === '1.1' || labels[FORMAT_LABEL] === '1.2' ? labels[FORMAT_LABEL] : this.defaultFormat;
    const metrics: Partial<Record<MetricName, number[]>> = {};
    for (const [m, curve] of this.curves) {
      // DeepOBS 1.2's divergence abort: the epochs that were not run repeat the epoch-0 evaluation.
      if (this.status === RunStatus.DIVERGED) for (let e = curve.length; e <= numEpochs; e++) curve[e] = curve[0];
      for (let e = 0; e < curve.length; e++) if (curve[e] === undefined) throw new Error(`DeepOBS result: ${run} has no ${m} at epoch ${e}`);
      metrics[m] = curve;
    }
    const trainingParams: Record<string, JsonValue> = fromValueMap(s.trainingParams);
    const sched = s.lrSchedule;
    if (Object.keys(trainingParams).length === 0 && sched?.epochs?.length)
      Object.assign(trainingParams, { lr_sched_epochs: sched.epochs.map(Number), lr_sched_factors: [...(sched.factors ?? [])] });
    const r: DeepobsResult = {
      format,
      testproblem: s.testProblem ?? '',
      optimizer: s.optimizer ?? '',
      batchSize: s.batchSize ?? 0,
      numEpochs,
      randomSeed: Number(s.seed ?? 0),
      weightDecay: s.weightDecay ?? null,
      weightDecayKey: labels[WEIGHT_DECAY_KEY_LABEL] === 'l2_reg' ? 'l2_reg' : 'weight_decay',
      hyperparams: fromValueMap(s.hyperparameters),
      trainingParams,
      metrics,
      extra: labels[EXTRA_LABEL] ? (parsePythonJson(labels[EXTRA_LABEL], { source: `${run} label ${EXTRA_LABEL}` }) as DeepobsResult['extra']) : {},
    };
    if (s.trainLogInterval) r.trainLogInterval = s.trainLogInterval;
    if (this.minibatch.length > 0) r.minibatchTrainLosses = this.minibatch;
    const problems = checkResult(r);
    if (problems.length > 0) throw new Error(`DeepOBS result: ${run} is incomplete: ${problems.join('; ')}`);
    return r;
  }
}

/** The DeepOBS result of one run's envelopes (a stored run replayed, a runner's MemorySink, ...). */
export async function resultFromEnvelopes(source: Iterable<Envelope> | AsyncIterable<Envelope>, format?: DeepobsFormat): Promise<DeepobsResult> {
  const b = new DeepobsResultBuilder(format);
  for await (const env of source) b.add(env);
  return b.result();
}

/**
 * A DeepOBS result as the envelopes of a run. DeepOBS files do not record steps per epoch, so step numbers are
 * reconstructed as if each epoch had (logged losses per epoch) × train_log_interval steps.
 */
export function envelopesFromResult(r: DeepobsResult, runId: string, startUnixUs = 0): Envelope[] {
  const labels: Record<string, string> = { [FORMAT_LABEL]: r.format };
  if (r.weightDecayKey !== 'weight_decay') labels[WEIGHT_DECAY_KEY_LABEL] = r.weightDecayKey;
  if (Object.keys(r.extra).length > 0) labels[EXTRA_LABEL] = dumpPythonJson(r.extra);
  const started: RunStarted = {
    testProblem: r.testproblem,
    optimizer: r.optimizer,
    hyperparameters: toValueMap(r.hyperparams),
    seed: r.randomSeed,
    batchSize: r.batchSize,
    numEpochs: r.numEpochs,
    trainLogInterval: r.trainLogInterval ?? 0,
    trainingParams: toValueMap(r.trainingParams),
    labels,
    ...(r.weightDecay !== null ? { weightDecay: r.weightDecay } : {}),
  };
  const out: Envelope[] = [];
  const push = (body: Partial<Envelope>) =>
    out.push({ schemaVersion: SCHEMA_VERSION, runId, seq: out.length, timeUnixUs: startUnixUs + out.length, ...body });
  push({ runStarted: started });
  const losses = r.minibatchTrainLosses ?? [];
  const interval = r.trainLogInterval || 1;
  const perEpoch = Math.max(1, Math.ceil(losses.length / Math.max(1, r.numEpochs)));
  let i = 0;
  for (let epoch = 0; epoch <= r.numEpochs; epoch++) {
    const ev: EvaluationRecord = { epoch };
    for (const m of METRIC_NAMES) {
      const v = r.metrics[m]?.[epoch];
      if (v !== undefined) (ev[METRIC_FIELDS[m]] as number) = v;
    }
    push({ evaluation: ev });
    if (epoch === r.numEpochs) break;
    for (let j = 0; j < perEpoch && i < losses.length; j++, i++) push({ step: { step: (epoch * perEpoch + j) * interval, epoch, loss: losses[i] } });
  }
  const lastTrain = r.metrics.train_losses?.[r.numEpochs];
  const diverged = lastTrain !== undefined && !Number.isFinite(lastTrain);
  push({ runFinished: { status: diverged ? RunStatus.DIVERGED : RunStatus.COMPLETED, lastEpoch: r.numEpochs } });
  return out;
}

/**
 * A Sink that writes a DeepOBS result file for every run that finishes (completed or diverged) in its stream.
 * Runs that fail or are interrupted get no file (a result file means a finished run, which resumable sweeps rely
 * on); they, and streams that cannot be converted, are listed in `skipped` with the reason.
 */
export class DeepobsJsonSink implements Sink {
  private readonly builders = new Map<string, DeepobsResultBuilder>();
  readonly written: Array<{ runId: string; path: string }> = [];
  readonly skipped: Array<{ runId: string; reason: string }> = [];

  constructor(
    private readonly outDir: string,
    private readonly format: DeepobsFormat = '1.2',
  ) {}

  async write(env: Envelope): Promise<void> {
    const runId = env.runId ?? '';
    let b = this.builders.get(runId);
    if (!b) this.builders.set(runId, (b = new DeepobsResultBuilder(this.format)));
    b.add(env);
    if (!b.finished) return;
    this.builders.delete(runId);
    try {
      const r = b.result();
      this.written.push({ runId, path: await writeResultFile(this.outDir, r, { date: b.finishedAt }) });
    } catch (e) {
      this.skipped.push({ runId, reason: (e as Error).message });
    }
  }

  async flush(): Promise<void> {}

  /** Runs still open at close are reported as skipped (cut off before RunFinished). */
  async close(): Promise<void> {
    for (const runId of this.builders.keys()) this.skipped.push({ runId, reason: `run ${runId} ended without a RunFinished envelope` });
    this.builders.clear();
  }
}
