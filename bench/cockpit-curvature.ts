// Cockpit curvature: what one Hessian-vector product, the exact Hessian diagonal (diag_h) and HessMaxEV cost,
// divided by one plain tfjs training step (optimizer.minimize with tf.losses.softmaxCrossEntropy) of the same model
// in the same process; HessMaxEV per method (HVPs per tracked step, value against the most accurate one), at the
// initial parameters and after training.
//
// Run: node -r ./tools/ts-register.cjs bench/cockpit-curvature.ts [options]
//   --backends wasm,cpu   --models mlp,cnn   --reps 3   --points 3   --gap 16   --profile   --only cost|maxev
// Models as in bench/cockpit-overhead.ts: "mlp" is DeepOBS mnist_mlp's shape (784-1000-500-100-10, ReLU, batch 128),
// "cnn" cifar10_3c3d's layer stack on a 16×16×3 input at batch 32. --points tracked steps --gap SGD steps apart.
// --profile prints the kernels that take the most time in one HVP and one diag_h pass (tf.profile).
import * as tf from '@tensorflow/tfjs';
import { Rng, selectBackend, type BackendName } from '@flightdeck/core';
import { cockpitProblem as problem, type CockpitProblem as Problem } from './cockpit-problems.js';
import {
  HessMaxEV, computeBatchStats, hessianVectorProduct, installSecondOrderGradients, linear, parameters, type BatchStats, type HessMaxEVOptions, type StepData,
} from '@flightdeck/cockpit';
import { flag, option } from './args.js';

const backends = option('backends', 'wasm').split(',') as BackendName[];
const modelNames = option('models', 'mlp,cnn').split(',');
const reps = Number(option('reps', '3'));
const points = Number(option('points', '3'));
const gap = Number(option('gap', '16'));
const only = option('only', '');
const profile = flag('profile');
const LR = 0.01;

function plainStep(p: Problem, optimizer: tf.Optimizer, k: number): void {
  const { x, y } = p.batches[k % p.batches.length]!;
  const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), p.model.apply(x) as tf.Tensor), true);
  cost!.dataSync();
  cost!.dispose();
}

function hvpOnce(p: Problem, v: tf.Tensor[]): void {
  const { x, y } = p.batches[0]!;
  const hv = hessianVectorProduct(p.model, 'softmax_cross_entropy', x, y, v);
  hv[0]!.dataSync();
  tf.dispose(hv);
}

function diagHOnce(p: Problem): void {
  const { x, y } = p.batches[0]!;
  const stats = computeBatchStats(p.model, 'softmax_cross_entropy', x, y, { diagHessian: true });
  stats.diagHessian![0]!.dataSync();
  stats.dispose();
}

/** Process CPU time of f in ms: on this shared, loaded machine wall-clock time mostly measures the other jobs. */
function timed(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function topKernels(label: string, f: () => void): Promise<void> {
  const info = await tf.profile(f);
  const byName = new Map<string, { ms: number; count: number }>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { ms: 0, count: 0 };
    entry.ms += await Promise.resolve(k.kernelTimeMs as number | { error: string }).then((t) => (typeof t === 'number' ? t : 0));
    entry.count++;
    byName.set(k.name, entry);
  }
  const total = [...byName.values()].reduce((a, b) => a + b.ms, 0);
  const rows = [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 10);
  console.log(`\n${label}: kernel time ${total.toFixed(0)} ms in ${info.kernels.length} kernels\n| kernel | calls | ms |\n|---|---|---|`);
  rows.forEach(([name, { ms, count }]) => console.log(`| ${name} | ${count} | ${ms.toFixed(0)} |`));
}

async function costs(p: Problem, what: string): Promise<void> {
  const optimizer = tf.train.sgd(0);
  const v = p.model.trainableWeights.map((w) => tf.randomNormal(w.shape as number[]));
  const rows: [string, () => void][] = [
    ['plain training step (baseline)', () => plainStep(p, optimizer, 0)],
    ['one Hessian-vector product', () => hvpOnce(p, v)],
    ['diag_h (computeBatchStats diagHessian)', () => diagHOnce(p)],
  ];
  rows.forEach(([, f]) => f());
  const times = rows.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    rows.forEach(([label, f], i) => {
      times[i]!.push(timed(f));
      process.stderr.write(`\r${what}: round ${r + 1}/${reps}, ${label.padEnd(50)}`);
    });
  }
  process.stderr.write('\n');
  const base = median(times[0]!);
  console.log(`\n### ${what}: costs (process CPU time)\n\n| what | CPU ms | × plain step |\n|---|---|---|`);
  rows.forEach(([label], i) => console.log(`| ${label} | ${median(times[i]!).toFixed(0)} | ${(median(times[i]!) / base).toFixed(2)}× |`));
  if (profile) {
    await topKernels(`${what} plain step`, () => plainStep(p, optimizer, 0));
    await topKernels(`${what} one HVP`, () => hvpOnce(p, v));
    await topKernels(`${what} diag_h`, () => diagHOnce(p));
  }
  tf.dispose(v);
  optimizer.dispose();
}

/** StepData with only what HessMaxEV reads; counts the HVPs. */
function stepData(p: Problem, step: number, counter: { hvps: number }): StepData {
  const { x, y } = p.batches[step % p.batches.length]!;
  return {
    step,
    theta: p.model.trainableWeights.map((w) => w.read()),
    params: parameters(p.model),
    optimizer: { kind: 'unknown' },
    mcSeed: 0,
    stats: {} as BatchStats,
    loss: 0,
    batchSize: x.shape[0],
    hvp: (v) => {
      counter.hvps++;
      return hessianVectorProduct(p.model, 'softmax_cross_entropy', x, y, v);
    },
    rng: (label) => new Rng(`0:${step}:${label}`),
    warn: (m) => process.stderr.write(`  warning: ${m}\n`),
  };
}

async function maxEV(p: Problem, what: string): Promise<void> {
  const methods: [string, HessMaxEVOptions][] = [
    ['power (original)', { method: 'power' }],
    ['lanczos, cold start', { warmStart: false }],
    ['lanczos, warm start (default)', {}],
    ['lanczos to residual 1e-4 (reference)', { warmStart: false, rtol: 0, atol: 0, tol: 1e-4, maxIterations: 40 }],
  ];
  const instances = methods.map(([, o]) => new HessMaxEV(linear(1), o));
  const optimizer = tf.train.sgd(LR);
  const still = tf.train.sgd(0);
  const plainMs = median(Array.from({ length: 3 }, () => timed(() => plainStep(p, still, 0))));
  still.dispose();
  console.log(`\n### ${what}: HessMaxEV at ${points} tracked steps ${gap} SGD steps apart (plain step ${plainMs.toFixed(0)} CPU ms)\n\n| step | method | HVPs | CPU ms | × plain step | value | rel. diff to reference |\n|---|---|---|---|---|---|---|`);
  let k = 0;
  for (let point = 0; point < points; point++) {
    const results: { hvps: number; ms: number; value: number }[] = [];
    for (const q of instances) {
      const counter = { hvps: 0 };
      const start = process.cpuUsage();
      const [record] = await q.track(stepData(p, k, counter));
      const { user, system } = process.cpuUsage(start);
      results.push({ hvps: counter.hvps, ms: (user + system) / 1000, value: record!.scalar as number });
    }
    const reference = results.at(-1)!.value;
    results.forEach((r, i) =>
      console.log(`| ${k} | ${methods[i]![0]} | ${r.hvps} | ${r.ms.toFixed(0)} | ${(r.ms / plainMs).toFixed(1)}× | ${r.value.toPrecision(6)} | ${(Math.abs(r.value - reference) / Math.abs(reference)).toExponential(1)} |`),
    );
    for (let i = 0; i < gap; i++) plainStep(p, optimizer, k++);
  }
  instances.forEach((q) => q.dispose());
  optimizer.dispose();
}

async function main(): Promise<void> {
  for (const backend of backends) {
    await selectBackend(backend);
    installSecondOrderGradients();
    for (const name of modelNames) {
      const p = problem(name);
      const what = `${backend}, ${p.describe}`;
      if (only !== 'maxev') await costs(p, what);
      if (only !== 'cost') await maxEV(p, what);
      p.batches.forEach(({ x, y }) => tf.dispose([x, y]));
      p.model.dispose();
    }
  }
}

void main();
