// Runtime overhead of an optimizer against SGD (DeepOBS `estimate_runtime`, reference §4.5): both are run
// alternately on the same problem with logging off, and each run's wall time is divided by the SGD run's beside it.
import { performance } from 'node:perf_hooks';
import type { Envelope, Sink } from '@flightdeck/core';
import { runProblem, type RunSpec } from '../runner/index.js';

export interface RuntimeOptions {
  optimizer: string;
  hyperparameters?: Record<string, number | boolean>;
  /** DeepOBS 1.2 defaults: mnist_mlp, batch size 128, 5 epochs, 5 runs each, SGD with lr 0.01. */
  problem?: string;
  batchSize?: number;
  numEpochs?: number;
  runs?: number;
  sgdLr?: number;
  /** Extra runner settings (data folder, synthetic data) shared by both optimizers. */
  data?: RunSpec['data'];
  onRun?: (info: { optimizer: string; index: number; seconds: number }) => void;
}

export interface RuntimeEstimate {
  problem: string;
  optimizer: string;
  sgdSeconds: number[];
  optimizerSeconds: number[];
  /** optimizerSeconds[i] / sgdSeconds[i]. */
  ratios: number[];
  mean: number;
  /** Population std of the ratios (numpy's default, as DeepOBS). */
  std: number;
}

/** A sink that drops every record: the runs are timed with logging off. */
const discard: Sink = { write: (_e: Envelope) => undefined, flush: async () => undefined, close: async () => undefined };

/** Wall seconds of one run in this process (the tfjs backend must be selected). */
export async function timeRunInProcess(spec: RunSpec): Promise<number> {
  const t0 = performance.now();
  await runProblem(spec, discard);
  return (performance.now() - t0) / 1000;
}

export async function estimateRuntime(o: RuntimeOptions, timeRun: (spec: RunSpec) => Promise<number> = timeRunInProcess): Promise<RuntimeEstimate> {
  const problem = o.problem ?? 'mnist_mlp';
  const runs = o.runs ?? 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`estimate-runtime: runs must be a positive integer, got ${runs}`);
  const common = { problem, batchSize: o.batchSize ?? 128, numEpochs: o.numEpochs ?? 5, ...(o.data ? { data: o.data } : {}) };
  const sgdSeconds: number[] = [];
  const optimizerSeconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    sgdSeconds.push(await timeRun({ ...common, optimizer: 'SGD', hyperparameters: { lr: o.sgdLr ?? 0.01 } }));
    o.onRun?.({ optimizer: 'SGD', index: i, seconds: sgdSeconds[i] });
    optimizerSeconds.push(await timeRun({ ...common, optimizer: o.optimizer, hyperparameters: o.hyperparameters ?? {} }));
    o.onRun?.({ optimizer: o.optimizer, index: i, seconds: optimizerSeconds[i] });
  }
  const ratios = optimizerSeconds.map((t, i) => t / sgdSeconds[i]);
  const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
  const std = Math.sqrt(ratios.reduce((a, b) => a + (b - mean) ** 2, 0) / ratios.length);
  return { problem, optimizer: o.optimizer, sgdSeconds, optimizerSeconds, ratios, mean, std };
}
