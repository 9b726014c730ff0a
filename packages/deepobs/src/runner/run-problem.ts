import { hostname } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import {
  DeepobsResultBuilder, RunStatus, RunStream, toValueMap, writeResultFile, type EvaluationRecord, type RunStarted, type Sink,
} from '@flightdeck/core';
import { loadDataSet, SPLITS, type DataSet } from '../data/index.js';
import { getOptimizer, resolveHyperparameters, type Optimizer } from '../optimizers/index.js';
import { getTestProblem, type ProblemInstance } from '../problems/index.js';
import type { Cockpit } from '@flightdeck/cockpit';
import { cockpitTrainStep, createCockpit } from './cockpit-step.js';
import { evaluateSplit } from './evaluate.js';
import { epochSchedule } from './lr-schedule.js';
import { plainTrainStep, type TrainStep } from './train-step.js';
import type { EvaluationProgress, RunProblemResult, RunProgress, RunSpec } from './types.js';

const DEFAULT_SEED = 42;
const DEFAULT_TRAIN_LOG_INTERVAL = 10;

const EVAL_SPLITS = [
  ['train_eval', 'trainLoss', 'trainAccuracy', 'train'],
  ['valid', 'validLoss', 'validAccuracy', 'valid'],
  ['test', 'testLoss', 'testAccuracy', 'test'],
] as const;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}

/** Collects the envelopes of the run into a DeepOBS result while they go on to the caller's sink. */
class ResultTap implements Sink {
  readonly builder = new DeepobsResultBuilder('1.2');
  constructor(private readonly sink: Sink) {}
  async write(envelope: Parameters<Sink['write']>[0]): Promise<void> {
    this.builder.add(envelope);
    await this.sink.write(envelope);
  }
  flush(): Promise<void> {
    return this.sink.flush();
  }
  /** The caller owns its sink: the runner flushes it but never closes it. */
  async close(): Promise<void> {}
}

/**
 * Runs one DeepOBS test problem with one optimizer, as DeepOBS 1.2's StandardRunner / LearningRateScheduleRunner:
 * evaluation on train_eval, valid and test before training and after every epoch; the mini-batch loss every
 * `trainLogInterval` steps (counted per epoch); a non-finite mini-batch loss stops the run (DIVERGED, the curves
 * padded with the epoch-0 values). Every record goes to `sink` as it happens; the DeepOBS JSON is written to
 * `spec.outputDir` when given. The active tfjs backend is used as is (select it before).
 */
export async function runProblem(spec: RunSpec, sink: Sink, progress: RunProgress = {}): Promise<RunProblemResult> {
  const problem = getTestProblem(spec.problem);
  const optimizerSpec = getOptimizer(spec.optimizer);
  const hyperparameters = resolveHyperparameters(optimizerSpec, spec.hyperparameters ?? {});
  const batchSize = positiveInteger('batch size', spec.batchSize, problem.defaultBatchSize);
  const numEpochs = positiveInteger('number of epochs', spec.numEpochs, problem.defaultEpochs);
  const trainLogInterval = positiveInteger('train_log_interval', spec.trainLogInterval, DEFAULT_TRAIN_LOG_INTERVAL);
  const seed = spec.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (spec.weightDecay !== undefined && !(spec.weightDecay >= 0)) throw new Error(`weight decay must be ≥ 0, got ${spec.weightDecay}`);
  const baseLr = Number(hyperparameters.lr);
  const schedule = epochSchedule(spec, baseLr, numEpochs);
  const backend = tf.getBackend();
  const runId = spec.runId ?? `${problem.name}-${optimizerSpec.name}-${seed}-${Date.now().toString(36)}`;

  const data = loadDataSet(problem.dataset, { ...spec.data, seed });
  for (const split of SPLITS) {
    if (data.numBatches(split, batchSize) === 0) throw new Error(`${problem.name}: the ${split} split of ${data.name} (${data.source}) has less than one batch of ${batchSize}`);
  }
  const stepsPerEpoch = data.numBatches('train', batchSize);
  const instance = problem.build({ seed, weightDecay: spec.weightDecay });
  const optimizer = optimizerSpec.create(hyperparameters);
  const tap = new ResultTap(sink);
  const stream = new RunStream(runId, tap);
  const where = { step: 0, epoch: 0 };
  let cockpit: Cockpit | undefined;
  try {
    const started: RunStarted = {
      testProblem: problem.name,
      optimizer: optimizerSpec.folderName,
      hyperparameters: toValueMap(hyperparameters),
      seed,
      batchSize,
      numEpochs,
      framework: 'tfjs',
      frameworkVersion: tf.version.tfjs,
      backend,
      host: hostname(),
      trainLogInterval,
      trainingParams: toValueMap(schedule.trainingParams),
      parameterNames: instance.parameterNames,
      dataset: `${data.name} (${data.source})`,
      labels: spec.labels ?? {},
      ...(schedule.record ? { lrSchedule: schedule.record } : {}),
      ...(spec.weightDecay !== undefined ? { weightDecay: spec.weightDecay } : {}),
    };
    let trainStep: TrainStep = plainTrainStep(instance);
    if (spec.cockpit) {
      cockpit = createCockpit(problem.name, instance, spec.cockpit, stream, seed);
      started.instruments = cockpit.instrumentConfig();
      trainStep = cockpitTrainStep(cockpit, instance, optimizer, optimizerSpec.name === 'SGD');
    }
    await stream.started(started);
    progress.onStart?.({ runId, backend, dataSource: data.source, numEpochs, stepsPerEpoch, batchSize });
    const diverged = await trainLoop({ instance, data, optimizer, trainStep, stream, progress, schedule, baseLr, batchSize, numEpochs, trainLogInterval, stepsPerEpoch, where });
    const message = diverged ?? '';
    await stream.finished({ status: diverged ? RunStatus.DIVERGED : RunStatus.COMPLETED, message, lastStep: where.step, lastEpoch: where.epoch });
    await tap.flush();
    const result = tap.builder.result();
    const resultPath = spec.outputDir ? await writeResultFile(spec.outputDir, result) : undefined;
    return {
      runId,
      status: diverged ? 'diverged' : 'completed',
      ...(diverged ? { message: diverged } : {}),
      result,
      ...(resultPath ? { resultPath } : {}),
      backend,
      dataSource: data.source,
    };
  } catch (e) {
    const message = `run ${runId} (${problem.name}, ${optimizerSpec.name}) failed at step ${where.step}, epoch ${where.epoch}: ${(e as Error).message}`;
    // A run that never started (bad Cockpit request) has nothing to finish.
    if (stream.seq > 0) {
      await stream.finished({ status: RunStatus.FAILED, message, lastStep: where.step, lastEpoch: where.epoch }).catch(() => undefined);
      await tap.flush().catch(() => undefined);
    }
    throw new Error(message, { cause: e });
  } finally {
    cockpit?.dispose();
    optimizer.dispose();
    instance.dispose();
  }
}

interface LoopContext {
  instance: ProblemInstance;
  data: DataSet;
  optimizer: Optimizer;
  trainStep: TrainStep;
  stream: RunStream;
  progress: RunProgress;
  schedule: ReturnType<typeof epochSchedule>;
  baseLr: number;
  batchSize: number;
  numEpochs: number;
  trainLogInterval: number;
  stepsPerEpoch: number;
  where: { step: number; epoch: number };
}

/** The DeepOBS protocol; returns why the run diverged, or undefined when it completed. */
async function trainLoop(c: LoopContext): Promise<string | undefined> {
  const startMs = Date.now();
  const totalSteps = c.numEpochs * c.stepsPerEpoch;
  for (let epoch = 0; ; epoch++) {
    c.where.epoch = epoch;
    await evaluate(c, epoch);
    if (epoch === c.numEpochs) return undefined;
    c.optimizer.learningRate = c.baseLr * c.schedule.factor(epoch);
    c.instance.resetState?.();
    let stepInEpoch = 0;
    for (const batch of c.data.batches('train', c.batchSize)) {
      const step = c.where.step;
      let out;
      try {
        out = await c.trainStep(batch, step, epoch);
      } finally {
        tf.dispose([batch.inputs, batch.targets ?? []]);
      }
      const finite = Number.isFinite(out.loss);
      if (finite) c.optimizer.applyGradients(c.instance.variables, out.grads);
      tf.dispose(out.grads);
      if (!out.recorded && (stepInEpoch % c.trainLogInterval === 0 || !finite)) await c.stream.step({ step, epoch, loss: out.loss, quantities: [] });
      if (!finite) return `the mini-batch loss became ${out.loss} at step ${step} (epoch ${epoch}); stopped as DeepOBS 1.2 does`;
      c.where.step++;
      stepInEpoch++;
      const done = c.where.step;
      c.progress.onStep?.({
        epoch,
        numEpochs: c.numEpochs,
        step,
        stepInEpoch,
        stepsPerEpoch: c.stepsPerEpoch,
        loss: out.loss,
        etaMs: ((Date.now() - startMs) / done) * (totalSteps - done),
      });
    }
  }
}

async function evaluate(c: LoopContext, epoch: number): Promise<void> {
  const record: EvaluationRecord = { epoch, step: c.where.step, source: 'trainer' };
  const metrics: EvaluationProgress['metrics'] = {};
  for (const [split, lossField, accuracyField, label] of EVAL_SPLITS) {
    c.progress.onEvaluationStart?.({ epoch, split });
    const m = await evaluateSplit(c.instance, c.data, split, c.batchSize);
    record[lossField] = m.loss;
    metrics[`${label}_loss`] = m.loss;
    if (m.accuracy !== undefined) {
      record[accuracyField] = m.accuracy;
      metrics[`${label}_accuracy`] = m.accuracy;
    }
  }
  if (epoch < c.numEpochs) record.learningRate = c.baseLr * c.schedule.factor(epoch);
  await c.stream.evaluation(record);
  c.progress.onEvaluation?.({ epoch, metrics });
}
