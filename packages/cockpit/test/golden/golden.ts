// The golden problems (fixtures/golden, PyTorch layouts) as typed data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROBLEMS = ['mlp', 'cnn', 'sigmoid_mse'] as const;
export type ProblemName = (typeof PROBLEMS)[number];
export const RUNS = ['full', 'extras', 'ggn_exact', 'mc'] as const;
export type RunName = (typeof RUNS)[number];

export interface FlatTensor {
  shape: number[];
  values: number[];
}
export interface GoldenParam extends FlatTensor {
  name: string;
  numel: number;
  offset: number;
}
export interface GoldenLayer {
  type: 'Linear' | 'Conv2d' | 'ReLU' | 'Sigmoid' | 'Tanh' | 'MaxPool2d' | 'AvgPool2d' | 'Flatten';
  in_features?: number;
  out_features?: number;
  in_channels?: number;
  out_channels?: number;
  kernel_size?: number | number[];
  stride?: number | number[];
  padding?: number | number[];
}
export interface GoldenBatch {
  inputs: FlatTensor;
  labels?: number[];
  targets?: FlatTensor;
}
export interface GoldenStep {
  global_step: number;
  batch: GoldenBatch;
  params_before: GoldenParam[];
  loss: number;
  individual_losses: number[];
  grad: number[];
  cockpit: Record<RunName, Record<string, unknown>>;
  brute_force: {
    per_sample_grads: FlatTensor;
    hessian_diag: number[];
    ggn_diag: number[];
    hessian_max_eigenvalue: number;
    hessian_max_abs_eigenvalue: number;
    ggn_trace_per_param: number[];
    hessian_trace_per_param: number[];
  };
}
export interface GoldenProblem {
  problem: ProblemName;
  model: { layers: GoldenLayer[]; loss: { type: 'CrossEntropyLoss' | 'MSELoss' } };
  optimizer: { lr: number };
  input_shape: number[];
  batch_size: number;
  parameter_names: string[];
  initial_parameters: GoldenParam[];
  final_parameters: GoldenParam[];
  data: { batches: GoldenBatch[] };
  steps: GoldenStep[];
}

const cache = new Map<ProblemName, GoldenProblem>();

export function loadGolden(name: ProblemName): GoldenProblem {
  let problem = cache.get(name);
  if (!problem) {
    problem = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'golden', `${name}.json`), 'utf8')) as GoldenProblem;
    cache.set(name, problem);
  }
  return problem;
}

/** Row n of the per-sample gradient matrix [N, D] (golden layout, ∇ℓ_n not divided by N). */
export function perSampleRows(step: GoldenStep): number[][] {
  const [n, d] = step.brute_force.per_sample_grads.shape;
  const v = step.brute_force.per_sample_grads.values;
  return Array.from({ length: n }, (_, i) => v.slice(i * d, (i + 1) * d));
}
