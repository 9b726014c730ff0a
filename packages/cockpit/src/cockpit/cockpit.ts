/**
 * The Cockpit for a tfjs training loop.
 *
 * ```ts
 * const cockpit = new Cockpit({ model, loss: 'softmax_cross_entropy', preset: 'economy', sink, optimizer: { lr: 0.05 } });
 * for (let step = 0; step < steps; step++) {
 *   const { x, y } = nextBatch();
 *   const { loss, grads } = await cockpit.step({ step, epoch, x, y }); // one forward/backward pass
 *   applySgd(model, grads, 0.05);                                       // the user's update, from these grads
 *   tf.dispose(grads);
 *   // or, with a tf.Optimizer: `await cockpit.trainStep(optimizer, { step, epoch, x, y })` does both
 * }
 * await cockpit.log({ step, epoch, trainLoss, testAccuracy, learningRate }); // optional, like the original's log()
 * await cockpit.write('results/run');   // results/run.json in the original Cockpit's log format
 * await cockpit.finish();               // RunFinished, when the Cockpit owns the stream (see `sink`)
 * ```
 *
 * Each call computes ONE engine pass at θ_step on the batch: the loss, the mean gradient (returned for the
 * optimizer) and exactly the statistics the quantities scheduled at this step need (per-example norms and
 * projections, individual gradients, curvature diagonals). At a step where nothing is scheduled the pass is just the
 * loss and the gradient. HessMaxEV adds Hessian-vector products. The model's weights are never changed by the
 * Cockpit, so training with it gives the parameters training without it gives.
 *
 * Records: a StepRecord (step, epoch, loss, the quantities computed) is written for every step at which some
 * quantity produced a value; Alpha and UpdateSize of step t arrive in the record of t + 1 with `forStep = t`.
 *
 * For the DeepOBS runner (one stream per run, shared with the runner):
 * - pass `stream: runStream` (the runner's RunStream). The runner emits RunStarted itself, with
 *   `instruments: cockpit.instrumentConfig()` and `parameterNames: cockpit.parameterNames`, and RunFinished at
 *   the end; the Cockpit writes only its StepRecords (and EvaluationRecords if `log()` is used) to that stream.
 * - per training step call `cockpit.trainStep(optimizer, { step, epoch, x, y })` (or `step()` and apply the
 *   returned grads). Do not emit another StepRecord for a step whose result has a `record`; for the other steps
 *   the runner logs its own loss as usual.
 * With `sink` instead of `stream`, the Cockpit owns a RunStream: it writes RunStarted before its first record
 * and RunFinished in `finish()`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  Rng, RunStatus, RunStream, toValueMap, type EvaluationRecord, type InstrumentConfig, type Quantity as QuantityRecord,
  type RunStarted, type Sink, type StepRecord,
} from '@flightdeck/core';
import { computeBatchStats, type CountingThread, hessianOperator, parameters, sharedCountingThread, type HessianOperator } from '../engine/index.js';
import { retainAll } from '../engine/retain.js';
import type { EngineOptions, LossKind, ParamInfo } from '../engine/types.js';
import { recordsToCockpitLog, writeCockpitLogFile, type CockpitLog, type LogRecord } from '../log/index.js';
import { configuration, type Preset } from '../presets/index.js';
import type { CockpitQuantity, Curvature, OptimizerInfo, StepData, StepPlan } from '../quantities/index.js';
import type { TrackSchedule } from '../schedules/index.js';
import { planStep, trackStep } from './step-plan.js';

/** How the step is made: plain SGD with this learning rate, or a tfjs optimizer (inspected for plain SGD). */
export type CockpitOptimizer = { lr: number } | tf.Optimizer;

export interface CockpitOptions {
  model: tf.LayersModel;
  loss: LossKind;
  /** A preset of the original; its quantities come first, then `quantities`. */
  preset?: Preset;
  /** The preset's schedule (default: every step). */
  trackSchedule?: TrackSchedule;
  /** The curvature of the preset's TICDiag and HessTrace (default diag_h, the original's). */
  curvature?: Curvature;
  quantities?: CockpitQuantity[];
  /** The Cockpit writes a whole run to this sink (RunStarted, StepRecords, RunFinished in finish()). */
  sink?: Sink;
  /** Run id for `sink` (default: "cockpit-" + time + random suffix). */
  runId?: string;
  /** Fields of RunStarted for `sink` (test problem, seed, …); the Cockpit fills in instruments and parameters. */
  run?: RunStarted;
  /** Or: a RunStream owned by the caller; the Cockpit writes only StepRecords and EvaluationRecords to it. */
  stream?: RunStream;
  /** The optimizer `step()` assumes (Alpha's SGD path, CABS, EarlyStopping). trainStep() uses its own. */
  optimizer?: CockpitOptimizer;
  /** Seed of HessMaxEV's start vectors and the Monte-Carlo curvature samples. */
  seed?: number;
  /** Where warnings go (default console.warn). */
  warn?: (message: string) => void;
  /**
   * Count GradHist1d's histogram on a worker thread, beside the rest of the step (default: true where the machine
   * has more than one core). The counts are the same either way.
   */
  countingThread?: boolean;
}

export interface Batch {
  /** Global step: number of optimizer updates before this batch, from 0, increasing by one per call. */
  step: number;
  epoch?: number;
  x: tf.Tensor;
  /** Integer labels [N] or targets [N, K], as the loss expects. */
  y: tf.Tensor;
}

export interface StepResult {
  /** L(θ_step) on the batch. */
  loss: number;
  /** ∇L per parameter in model.trainableWeights order; owned by the caller (dispose them). */
  grads: tf.Tensor[];
  /** Values computed at this step (two-step ones carry `forStep`). */
  quantities: QuantityRecord[];
  /** The StepRecord written for this step, if any quantity produced a value. */
  record?: StepRecord;
}

export interface EvaluationInput {
  step: number;
  epoch: number;
  trainLoss?: number;
  validLoss?: number;
  testLoss?: number;
  trainAccuracy?: number;
  validAccuracy?: number;
  testAccuracy?: number;
  learningRate?: number;
}

export class Cockpit {
  readonly model: tf.LayersModel;
  readonly loss: LossKind;
  readonly quantities: readonly CockpitQuantity[];
  readonly params: readonly ParamInfo[];
  readonly preset: Preset | undefined;
  private readonly ownStream: RunStream | undefined;
  private readonly stream: RunStream | undefined;
  private readonly runStarted: RunStarted;
  private readonly optimizer: CockpitOptimizer | undefined;
  private readonly seed: number;
  private readonly warn: (message: string) => void;
  private readonly countingThread: CountingThread | undefined;
  private readonly records: LogRecord[] = [];
  private started = false;
  private lastStep: number | undefined;
  private lastEpoch = 0;

  constructor(options: CockpitOptions) {
    if (options.sink && options.stream) throw new Error('Cockpit: give either a sink or a stream, not both');
    this.model = options.model;
    this.loss = options.loss;
    this.preset = options.preset;
    this.quantities = [...(options.preset ? configuration(options.preset, options.trackSchedule, options.curvature) : []), ...(options.quantities ?? [])];
    if (this.quantities.length === 0) throw new Error('Cockpit: no quantities; give a preset or a list of quantities');
    this.params = parameters(options.model);
    this.optimizer = options.optimizer;
    this.seed = options.seed ?? 0;
    const runId = options.stream?.runId ?? options.runId ?? `cockpit-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
    this.warn = options.warn ?? ((m) => console.warn(`[cockpit ${runId}] ${m}`));
    this.countingThread = options.countingThread === false ? undefined : sharedCountingThread();
    this.ownStream = options.sink ? new RunStream(runId, options.sink) : undefined;
    this.stream = options.stream ?? this.ownStream;
    this.runStarted = options.run ?? {};
  }

  get runId(): string | undefined {
    return this.stream?.runId;
  }

  get parameterNames(): string[] {
    return this.params.map((p) => p.name);
  }

  /** The quantities and their schedules, for RunStarted.instruments. */
  instrumentConfig(): InstrumentConfig {
    return {
      preset: this.preset ?? '',
      quantities: this.quantities.map((q) => ({ name: q.name, ...(q.schedule.spec ? { schedule: q.schedule.spec } : {}), options: toValueMap(q.options()) })),
    };
  }

  /**
   * One forward/backward pass on the batch at the current weights: returns the loss and the mean gradient (for the
   * caller's update) and computes every quantity scheduled at `batch.step`. `optimizer` overrides the constructor's.
   */
  async step(batch: Batch, optimizer: CockpitOptimizer | undefined = this.optimizer): Promise<StepResult> {
    const { step, x, y } = batch;
    const epoch = batch.epoch ?? 0;
    if (!Number.isInteger(step) || step < 0) throw new Error(`Cockpit run ${this.runId ?? ''}: step must be a non-negative integer, got ${step}`);
    if (this.lastStep !== undefined && step <= this.lastStep) {
      throw new Error(`Cockpit run ${this.runId ?? ''}: step ${step} comes after step ${this.lastStep}; steps must increase`);
    }
    this.lastStep = step;
    this.lastEpoch = epoch;
    const plan: StepPlan = {
      step,
      theta: this.model.trainableWeights.map((w) => w.read()),
      optimizer: describeOptimizer(optimizer),
      mcSeed: new Rng(`${this.seed}:${step}:diag_ggn_mc`).nextUint32(),
    };
    const { active, request } = planStep(this.quantities, plan);
    // One dropout mask per step, shared by the statistics pass and HessMaxEV's Hessian-vector products.
    const engine: EngineOptions = { seed: new Rng(`${this.seed}:${step}:masks`).nextUint32() >>> 1 };
    const stats = computeBatchStats(this.model, this.loss, x, y, request, { ...engine, countingThread: this.countingThread });
    let loss: number;
    let quantities: QuantityRecord[] = [];
    const grads = retainAll(stats.grads);
    // Made on the first product and shared by every quantity of the step (its first-order pass is made once).
    let hessian: HessianOperator | undefined;
    const hvp = (v: tf.Tensor[]) => (hessian ??= hessianOperator(this.model, this.loss, x, y, engine)).apply(v);
    try {
      loss = (await stats.loss.data())[0];
      if (!Number.isFinite(loss)) {
        if (active.length) this.warn(`step ${step}: the loss is ${loss}; no quantity is computed at this step`);
      } else {
        quantities = await trackStep(active, this.stepData(plan, stats, loss, x, hvp));
      }
    } catch (e) {
      tf.dispose(grads);
      throw e;
    } finally {
      stats.dispose();
      hessian?.dispose();
    }
    if (quantities.length === 0) return { loss, grads, quantities };
    const record: StepRecord = { step, epoch, loss, quantities };
    this.records.push({ step: record });
    await this.emit((s) => s.step(record));
    return { loss, grads, quantities, record };
  }

  /** step() followed by the optimizer's update with the returned gradients (which are then disposed). */
  async trainStep(optimizer: tf.Optimizer, batch: Batch): Promise<Omit<StepResult, 'grads'>> {
    const { grads, ...rest } = await this.step(batch, optimizer);
    optimizer.applyGradients(this.model.trainableWeights.map((w, i) => ({ name: (w.read() as tf.Variable).name, tensor: grads[i] })));
    tf.dispose(grads);
    return rest;
  }

  /** Evaluation metrics, like the original's cockpit.log(); they go to the stream and into write()'s log. */
  async log(e: EvaluationInput): Promise<void> {
    const { step, epoch, ...metrics } = e;
    const record: EvaluationRecord = { step, epoch, ...metrics };
    this.records.push({ evaluation: record });
    await this.emit((s) => s.evaluation(record));
  }

  /** Everything computed so far by step, keyed by quantity class name, as the original's get_output() (json_tricks-encoded). */
  output(): CockpitLog {
    return recordsToCockpitLog(this.records, { parameterNames: this.parameterNames });
  }

  /** Writes `path + ".json"` in the original Cockpit's log format, as the original's write(path) does. */
  async write(path: string): Promise<void> {
    await writeCockpitLogFile(`${path}.json`, this.records, { parameterNames: this.parameterNames });
  }

  /** Writes RunFinished when the Cockpit owns the stream, flushes, and frees the quantities' cached tensors. */
  async finish(status: { status?: number; message?: string } = {}): Promise<void> {
    if (this.ownStream) {
      await this.emit((s) =>
        s.finished({ status: status.status ?? RunStatus.COMPLETED, message: status.message ?? '', lastStep: this.lastStep ?? 0, lastEpoch: this.lastEpoch }),
      );
    }
    this.dispose();
  }

  /** Frees the tensors the quantities keep between steps (θ_0 of Distance, the pending Alpha and UpdateSize). */
  dispose(): void {
    this.quantities.forEach((q) => q.dispose());
  }

  private stepData(plan: StepPlan, stats: StepData['stats'], loss: number, x: tf.Tensor, hvp: StepData['hvp']): StepData {
    return {
      ...plan,
      params: this.params,
      stats,
      loss,
      batchSize: x.shape[0],
      hvp,
      rng: (label) => new Rng(`${this.seed}:${plan.step}:${label}`),
      warn: (m) => this.warn(m),
    };
  }

  private async emit(write: (s: RunStream) => Promise<unknown>): Promise<void> {
    if (!this.stream) return;
    if (this.ownStream && !this.started) {
      this.started = true;
      await this.ownStream.started({
        framework: 'tfjs',
        frameworkVersion: tf.version.tfjs,
        backend: tf.getBackend(),
        ...this.runStarted,
        instruments: this.instrumentConfig(),
        parameterNames: this.parameterNames,
      });
    }
    await write(this.stream);
  }
}

/** Plain SGD is recognised by class name: tfjs's momentum optimizer is a subclass of SGDOptimizer. */
function describeOptimizer(optimizer: CockpitOptimizer | undefined): OptimizerInfo {
  if (optimizer === undefined) return { kind: 'unknown' };
  if (optimizer instanceof tf.Optimizer) {
    const name = optimizer.getClassName();
    return name === 'SGD' ? { kind: 'sgd', lr: optimizer.getConfig().learningRate as number } : { kind: 'other', name };
  }
  return { kind: 'sgd', lr: optimizer.lr };
}
