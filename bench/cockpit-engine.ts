// Engine cost: time of computeBatchStats for the requests Cockpit's presets make, divided by a plain tfjs gradient
// step (tf.variableGrads of the model's own forward and tfjs's softmax cross-entropy) of the same model and batch,
// in the same process, on the wasm and cpu backends.
//
// Run: node -r ./tools/ts-register.cjs bench/cockpit-engine.ts [--backends wasm,cpu] [--models mlp,cnn] [--reps 3]
//   [--requests gradient,economy,…] (rows whose label starts with one of these; default all)
// Models: "mlp" is DeepOBS mnist_mlp's shape (784-1000-500-100-10, ReLU, batch 128); "cnn" is cifar10_3c3d's layer
// stack (conv 64 5×5 valid, max-pool 3/2 same, conv 96 3×3 valid, max-pool, conv 128 3×3 same, max-pool, dense 512,
// 256, 10) on a 16×16×3 input at batch 32, so that the pure-JS cpu backend finishes. Requests run round-robin; the
// median over rounds of the wall-clock and of the process CPU time is reported.
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '@flightdeck/core';
import { cockpitProblem } from './cockpit-problems.js';
import { computeBatchStats, installSecondOrderGradients, type StatsRequest } from '@flightdeck/cockpit';
import { flag, option } from './args.js';

const backends = option('backends', 'wasm,cpu').split(',') as BackendName[];
const modelNames = option('models', 'mlp,cnn').split(',');
const reps = Number(option('reps', '3'));
const only = flag('requests') ? option('requests', '').split(',') : undefined;

interface Problem {
  model: tf.Sequential;
  x: tf.Tensor;
  y: tf.Tensor1D;
  describe: string;
}

/** The benchmark model with its first batch. */
function problem(name: string): Problem {
  const { model, batches, describe } = cockpitProblem(name, 3);
  const [first, ...rest] = batches;
  tf.dispose(rest.flatMap((b) => [b.x, b.y]));
  return { model, x: first!.x, y: first!.y, describe };
}

/** GradHist1d's default axis (100 bins on (−2, 2), torch.histc's rule). */
const HISTOGRAM = { range: [-2, 2], bins: 100, clamp: 'edges' } as const;
const ECONOMY: StatsRequest = { batchL2: true, meanProjections: true, gradientHistogram: HISTOGRAM };

/** Requests marked `project` also project on a direction, as Alpha does in the presets. */
const REQUESTS: [string, StatsRequest, { project?: boolean }?][] = [
  ['gradient only (engine)', {}],
  ['batchL2 + batchDot', { batchL2: true, batchDot: true }],
  ['batchL2 + meanProjections', { batchL2: true, meanProjections: true }],
  ['sumGradSquared', { sumGradSquared: true }],
  ['individualGradients', { individualGradients: true }],
  ['gradientHistogram (GradHist1d)', { gradientHistogram: HISTOGRAM }],
  ['diagGGN', { diagGGN: true }],
  ['diagHessian', { diagHessian: true }],
  ['diagGGNMC (1 sample)', { diagGGNMC: { samples: 1, seed: 1 } }],
  ['economy (batchL2, meanProjections, gradientHistogram, projection)', ECONOMY, { project: true }],
  ['business (economy + sumGradSquared + diagHessian)', { ...ECONOMY, sumGradSquared: true, diagHessian: true }, { project: true }],
];

function plainStep(p: Problem): void {
  const labels = tf.oneHot(p.y, 10);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, p.model.apply(p.x, { training: true }) as tf.Tensor) as tf.Scalar);
  value.dataSync();
  tf.dispose([value, labels, ...Object.values(grads)]);
}

function statsStep(p: Problem, request: StatsRequest, project = false): void {
  const projectOn = project ? p.model.trainableWeights.map((w) => tf.zeros(w.shape as number[])) : undefined;
  const stats = computeBatchStats(p.model, 'softmax_cross_entropy', p.x, p.y, { ...request, projectOn });
  stats.loss.dataSync();
  stats.dispose();
  tf.dispose(projectOn ?? []);
}

/** Wall-clock and process CPU ms of one call (CPU time is what a loaded, shared machine distorts least). */
function timed(f: () => void): { wall: number; cpu: number } {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  f();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: performance.now() - start, cpu: (cpu.user + cpu.system) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  for (const backend of backends) {
    await selectBackend(backend);
    installSecondOrderGradients();
    for (const name of modelNames) {
      const p = problem(name);
      const chosen = REQUESTS.filter(([label]) => only === undefined || only.some((prefix) => label.startsWith(prefix)));
      const rows: [string, () => void][] = [['plain gradient (baseline)', () => plainStep(p)], ...chosen.map(([label, r, o]): [string, () => void] => [label, () => statsStep(p, r, o?.project)])];
      rows.forEach(([, f]) => f());
      const times = rows.map(() => [] as { wall: number; cpu: number }[]);
      for (let round = 0; round < reps; round++) {
        rows.forEach(([label, f], i) => {
          times[i]!.push(timed(f));
          process.stderr.write(`\r${backend} ${name}: round ${round + 1}/${reps}, ${label.padEnd(60)}`);
        });
      }
      process.stderr.write('\n');
      const wall = times.map((t) => median(t.map((m) => m.wall)));
      const cpu = times.map((t) => median(t.map((m) => m.cpu)));
      console.log(`\n### ${backend}: ${p.describe}\n\n| request | ms | × plain gradient | CPU ms | CPU × plain |\n|---|---|---|---|---|`);
      rows.forEach(([label], i) =>
        console.log(`| ${label} | ${wall[i]!.toFixed(0)} | ${(wall[i]! / wall[0]!).toFixed(2)} | ${cpu[i]!.toFixed(0)} | ${(cpu[i]! / cpu[0]!).toFixed(2)} |`),
      );
      tf.dispose([p.x, p.y]);
      p.model.dispose();
    }
  }
}

void main();
