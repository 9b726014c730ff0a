// Time per DeepOBS training step (loss, gradient, SGD update, loss read back — what the runner does per step) for
// mnist_mlp, fmnist_2c2d and cifar10_3c3d at their default batch size (128) on the tfjs backends, against PyTorch
// (/usr/bin/python3, bench/deepobs-step.py) on the same architecture and batch size, as ratios, in one command.
//
// Run: node -r ./tools/ts-register.cjs bench/deepobs-step.ts [--backends wasm,cpu] [--reps 5] [--cpu-reps 2]
//        [--problems mnist_mlp,fmnist_2c2d,cifar10_3c3d] [--breakdown]
// --breakdown prints, per problem on wasm, the kernels that take the time (tf.profile of one step; a replacement
// kernel's time includes the kernels it is built of).
// The machine is shared, so each tfjs measurement is bracketed by a PyTorch measurement before and after, and
// every figure is the fastest of its repetitions (the least disturbed by other jobs).
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '@flightdeck/core';
import { createOptimizer, getTestProblem, loadDataSet } from '@flightdeck/deepobs';
import { REPLACEMENT_KERNELS } from '../packages/core/src/kernels/index.js';
import { flag, option } from './args.js';

const backends = option('backends', 'wasm,cpu').split(',') as BackendName[];
const problems = option('problems', 'mnist_mlp,fmnist_2c2d,cifar10_3c3d').split(',');
const reps = Number(option('reps', '5'));
const cpuReps = Number(option('cpu-reps', '2'));
const breakdown = flag('breakdown');


function stepper(name: string) {
  const problem = getTestProblem(name);
  const instance = problem.build({ seed: 0 });
  const data = loadDataSet(problem.dataset, { synthetic: true, seed: 0, syntheticSize: problem.defaultBatchSize });
  const batch = data.batches('train', problem.defaultBatchSize).next().value!;
  const optimizer = createOptimizer('SGD', { lr: 0.01 });
  const step = () => {
    const { value, grads } = tf.variableGrads(() => instance.loss(batch, 'train'), instance.variables);
    optimizer.applyGradients(instance.variables, instance.variables.map((v) => grads[v.name]));
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  const dispose = () => {
    tf.dispose([batch.inputs, batch.targets ?? []]);
    optimizer.dispose();
    instance.dispose();
  };
  return { step, dispose };
}

async function timeTfjs(backend: BackendName, name: string, n: number): Promise<number> {
  const { step, dispose } = stepper(name);
  step();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    step();
    times.push(performance.now() - t);
  }
  if (breakdown && backend === 'wasm') {
    const { kernels, nested } = await profileTopLevel(backend, step);
    const byKernel = new Map<string, number>();
    kernels.forEach((k, i) => {
      if (!nested.has(i)) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    });
    const total = [...byKernel.values()].reduce((a, b) => a + b, 0);
    const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`  ${name} on wasm, kernel time ${total.toFixed(0)} ms: ${top.map(([k, ms]) => `${k} ${ms.toFixed(0)} ms (${((100 * ms) / total).toFixed(0)}%)`).join(', ')}`);
  }
  dispose();
  return Math.min(...times);
}

/**
 * tf.profile of one step, and which of its kernels ran inside core's replacement kernels (which are built of
 * other kernels; the profile lists those too, before their parent, and counting both would count them twice).
 */
async function profileTopLevel(backend: string, step: () => number) {
  const replacements = REPLACEMENT_KERNELS.filter((k) => k.backendName === backend);
  const profiled = () => (tf.engine().state.activeProfile.kernels ?? []).length;
  const nested = new Set<number>();
  const wrap = (config: tf.KernelConfig, kernelFunc: tf.KernelFunc) => {
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({ ...config, kernelFunc });
  };
  for (const config of replacements) {
    wrap(config, (args) => {
      const start = profiled();
      const out = config.kernelFunc(args);
      for (let i = start; i < profiled(); i++) nested.add(i);
      return out;
    });
  }
  try {
    const { kernels } = await tf.profile(() => void step());
    return { kernels, nested };
  } finally {
    for (const config of replacements) wrap(config, config.kernelFunc);
  }
}

/** PyTorch's fastest step of `reps` (ms) and its thread count. */
function timeTorch(name: string): { ms: number; threads: number } {
  const out = JSON.parse(execFileSync('/usr/bin/python3', [`${__dirname}/deepobs-step.py`, String(reps), name], { encoding: 'utf8' }));
  return { ms: out[name].seconds * 1000, threads: out[name].threads };
}

async function main() {
  const rows: string[] = [];
  for (const backend of backends) {
    await selectBackend(backend);
    for (const name of problems) {
      const before = timeTorch(name);
      const ms = await timeTfjs(backend, name, backend === 'cpu' ? cpuReps : reps);
      const after = timeTorch(name);
      const torchMs = Math.min(before.ms, after.ms);
      rows.push(`| ${name} | ${backend} | ${ms.toFixed(1)} ms | ${torchMs.toFixed(1)} ms (${before.threads} thread) | ${(ms / torchMs).toFixed(2)}× |`);
      console.log(rows.at(-1));
    }
  }
  console.log(['', '| problem (batch 128) | tfjs backend | tfjs step | PyTorch step | ratio |', '|---|---|---|---|---|', ...rows].join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
