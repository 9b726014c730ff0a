// Cockpit overhead: time per training step with a Cockpit (economy, business, full at tracking interval 1 and
// 16) divided by plain tfjs training (optimizer.minimize) of the same model in the same process, on the wasm and
// cpu backends; optionally per-quantity costs and the tensor-memory peak of GradHist1d against plain training.
//
// Run: node -r ./tools/ts-register.cjs bench/cockpit-overhead.ts [options]
//   --backends wasm,cpu   --models mlp,cnn,mlp-mnist,cnn-cifar   --presets economy,business,full   --reps 2   --window1 4   --breakdown
//   --quantities Loss,NormTest,…   --memory   (--presets none: the breakdown or the memory figures alone)
//   --curvature diag_ggn_mc   (the presets' TICDiag and HessTrace on this curvature instead of diag_h)
// (--quantities: which quantities the breakdown measures alone; default all of its list.)
// (--window1: steps per measurement at interval 1, except full, which is always 1 step.)
// Models: "mlp" is DeepOBS mnist_mlp's shape (784-1000-500-100-10, ReLU, batch 128); "cnn" is cifar10_3c3d's
// layer stack (conv 64 5×5 valid, max-pool 3/2 same, conv 96 3×3 valid, max-pool, conv 128 3×3 same, max-pool,
// dense 512, 256, 10) on a smaller 16×16×3 input at batch 32, so that the pure-JS cpu backend finishes; "cnn-cifar" is
// that stack at cifar10_3c3d's own size (32×32×3, batch 128).
// Configurations run round-robin (one round = every configuration once) and the median of the rounds is reported,
// as wall-clock and as process CPU time per step. Every configuration makes one step before the rounds (kernels,
// the engine's model analysis; for "full" at interval 16 that step is its first tracked one, whose HessMaxEV has no
// warm start), so the rounds see steady state: each 16-step window holds one tracked step and one pair end.
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '@flightdeck/core';
import { cockpitProblem, type CockpitProblem as Problem } from './cockpit-problems.js';
import {
  Alpha, Cockpit, type Curvature, GradHist1d, hessianOperator, GradHist2d, HessMaxEV, HessTrace, InnerTest, Loss, NormTest, TICDiag, linear, type CockpitQuantity, type Preset,
} from '@flightdeck/cockpit';
import { flag, option } from './args.js';

const backends = option('backends', 'wasm,cpu').split(',') as BackendName[];
const modelNames = option('models', 'mlp,cnn').split(',') as ModelName[];
const presetNames = option('presets', 'economy,business,full').split(',').filter((name) => name !== 'none') as Preset[];
const reps = Number(option('reps', '2'));
const window1 = Number(option('window1', '4'));
const breakdown = flag('breakdown');
const breakdownOnly = flag('quantities') ? option('quantities', '').split(',') : undefined;
const memory = flag('memory');
const curvature = option('curvature', 'diag_h') as Curvature;
const LR = 0.01;

type ModelName = 'mlp' | 'mlp-mnist' | 'cnn' | 'cnn-cifar';
const problem = (name: ModelName): Problem => cockpitProblem(name, 7);

/** Something that makes training steps: plain tfjs, or a Cockpit. Keeps its own step counter. */
interface Trainer {
  label: string;
  /** Steps per measurement: a window of 16 consecutive steps holds exactly one tracked step and one pair end. */
  window: number;
  /** Measured in the first round only. */
  once?: boolean;
  step: () => Promise<void>;
  dispose: () => void;
}

function plainTrainer(p: Problem, window: number): Trainer {
  const optimizer = tf.train.sgd(LR);
  let k = 0;
  return {
    label: 'plain',
    window,
    step: async () => {
      const { x, y } = p.batches[k++ % p.batches.length];
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), p.model.apply(x) as tf.Tensor), true);
      await cost!.data();
      cost!.dispose();
    },
    dispose: () => optimizer.dispose(),
  };
}

function cockpitTrainer(p: Problem, label: string, window: number, config: { preset?: Preset; interval?: number; quantities?: CockpitQuantity[]; once?: boolean }): Trainer {
  const optimizer = tf.train.sgd(LR);
  const cockpit = new Cockpit({
    model: p.model,
    loss: 'softmax_cross_entropy',
    preset: config.preset,
    curvature,
    trackSchedule: linear(config.interval ?? 1),
    quantities: config.quantities,
    warn: (m) => process.stderr.write(`  warning: ${m}\n`),
  });
  let step = 0;
  return {
    label,
    window,
    once: config.once,
    step: async () => {
      const { x, y } = p.batches[step % p.batches.length];
      await cockpit.trainStep(optimizer, { step: step++, x, y });
    },
    dispose: () => {
      cockpit.dispose();
      optimizer.dispose();
    },
  };
}

/** Wall-clock and process CPU ms (the CPU time is what a loaded, shared machine distorts least). */
interface Timing {
  wall: number;
  cpu: number;
}

async function timed(steps: number, run: () => Promise<void> | void): Promise<Timing> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < steps; i++) await run();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (performance.now() - start) / steps, cpu: (cpu.user + cpu.system) / 1000 / steps };
}

/** ms per step over one window (after its first measurement the trainer's steps keep counting). */
function measure(t: Trainer): Promise<Timing> {
  return timed(t.window, t.step);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function compare(trainers: Trainer[], what: string): Promise<Map<string, Timing>> {
  const times = new Map<string, Timing[]>(trainers.map((t) => [t.label, []]));
  // Warm-up (kernels, the engine's model analysis) for the configurations measured every round; the once-measured
  // ones share their kernels.
  for (const t of trainers.filter((t) => !t.once)) {
    process.stderr.write(`  ${what}: warming up ${t.label}\n`);
    await t.step();
  }
  for (let r = 0; r < reps; r++) {
    for (const t of trainers.filter((t) => r === 0 || !t.once)) {
      const ms = await measure(t);
      times.get(t.label)!.push(ms);
      process.stderr.write(`  ${what} round ${r + 1}/${reps}: ${t.label} ${ms.wall.toFixed(1)} ms/step (${ms.cpu.toFixed(1)} ms CPU)\n`);
    }
  }
  trainers.forEach((t) => t.dispose());
  return new Map([...times].map(([k, v]) => [k, { wall: median(v.map((m) => m.wall)), cpu: median(v.map((m) => m.cpu)) }]));
}

function table(head: string, rows: [string, Timing][], base: Timing): string {
  const cells = rows.map(([label, ms]) => `| ${label} | ${ms.wall.toFixed(1)} | ${(ms.wall / base.wall).toFixed(2)}× | ${ms.cpu.toFixed(1)} | ${(ms.cpu / base.cpu).toFixed(2)}× |`);
  return [`| ${head} | ms/step | ratio to plain | CPU ms/step | CPU ratio |`, '|---|---|---|---|---|', ...cells].join('\n');
}

async function presets(p: Problem, what: string): Promise<string> {
  const trainers = [
    plainTrainer(p, window1),
    ...presetNames.flatMap((preset) => [
      cockpitTrainer(p, `${preset}, interval 1`, preset === 'full' ? 1 : window1, { preset, interval: 1 }),
      cockpitTrainer(p, `${preset}, interval 16`, 16, { preset, interval: 16 }),
    ]),
  ];
  const ms = await compare(trainers, what);
  return table('configuration', [...ms], ms.get('plain')!);
}

/** One product of a Hessian operator whose first-order pass is already made (HessMaxEV makes one per iteration). */
async function hvpTime(p: Problem): Promise<Timing> {
  const [{ x, y }] = p.batches;
  const v = p.model.trainableWeights.map((w) => tf.randomNormal(w.shape as number[]));
  const operator = hessianOperator(p.model, 'softmax_cross_entropy', x, y);
  const hvp = () => tf.dispose(operator.apply(v));
  hvp();
  const ms = await timed(3, hvp);
  operator.dispose();
  tf.dispose(v);
  return ms;
}

async function perQuantity(p: Problem, what: string): Promise<string> {
  const every = () => linear(1);
  const single: [string, () => CockpitQuantity][] = [
    ['Loss (engine pass only)', () => new Loss(every())],
    ['NormTest', () => new NormTest(every())],
    ['InnerTest', () => new InnerTest(every())],
    ['Alpha', () => new Alpha(every())],
    ['GradHist1d', () => new GradHist1d(every())],
    ['HessTrace (diag_h)', () => new HessTrace(every())],
    ['TICDiag (diag_h)', () => new TICDiag(every())],
    ['GradHist2d', () => new GradHist2d(every())],
    ['HessMaxEV', () => new HessMaxEV(every())],
  ];
  const chosen = single.filter(([label]) => breakdownOnly === undefined || breakdownOnly.some((name) => label.startsWith(name)));
  const trainers = [plainTrainer(p, 2), ...chosen.map(([label, make]) => cockpitTrainer(p, label, label === 'HessMaxEV' ? 1 : 2, { quantities: [make()], once: label === 'HessMaxEV' }))];
  const ms = await compare(trainers, `${what} per quantity`);
  const rows = [...ms];
  if (ms.has('HessMaxEV')) rows.push(['one Hessian-vector product, first-order pass made (HessMaxEV makes one per iteration)', await hvpTime(p)]);
  return table('quantity alone, interval 1', rows, ms.get('plain')!);
}

async function peakMemory(p: Problem): Promise<string> {
  const peak = async (t: Trainer) => {
    await t.step();
    const info = await tf.profile(() => t.step());
    t.dispose();
    return info.peakBytes;
  };
  const plain = await peak(plainTrainer(p, 1));
  const hist = await peak(cockpitTrainer(p, 'GradHist1d', 1, { quantities: [new GradHist1d(linear(1))] }));
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  return `peak tensor memory in one step (tf.profile peakBytes): plain ${mib(plain)} MiB, GradHist1d every step ${mib(hist)} MiB (${(hist / plain).toFixed(1)}×)`;
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, tfjs ${tf.version.tfjs}, ${reps} round(s), ${window1} step(s) per interval-1 measurement, TICDiag and HessTrace on ${curvature}\n`);
  for (const backend of backends) {
    await selectBackend(backend);
    for (const name of modelNames) {
      const p = problem(name);
      const what = `${backend} ${name}`;
      console.log(`### ${backend}, ${p.describe}\n`);
      if (presetNames.length) console.log(`${await presets(p, what)}\n`);
      if (breakdown) console.log(`${await perQuantity(p, what)}\n`);
      if (memory) console.log(`${await peakMemory(p)}\n`);
      p.model.dispose();
      tf.dispose(p.batches.flatMap((b) => [b.x, b.y]));
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
