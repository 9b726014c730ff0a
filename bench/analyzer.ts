// Scale benchmark of `deepobs analyze`: generates N synthetic DeepOBS 1.2 result files laid out like Crowded Valley
// (schedule / problem / optimizer / setting / seed), then measures, each phase in a fresh child process:
//   parse    — walk the tree and read + parse every file (the baseline),
//   collect  — the analysis without figures (aggregation, best settings, table, profiles),
//   report   — the full `analyze`: figures as SVG and PNG and the HTML page.
// Wall time, peak RSS (getrusage) and peak V8 heap (sampled) per phase, and the ratios to the parse baseline.
//
//   node -r ./tools/ts-register.cjs bench/analyzer.ts [files=50000] [--keep]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng, writeResultFile, type DeepobsResult } from '@flightdeck/core';

const PROBLEMS: Array<[string, number, boolean]> = [
  ['quadratic_deep', 100, false],
  ['mnist_vae', 50, false],
  ['fmnist_2c2d', 100, true],
  ['cifar10_3c3d', 100, true],
  ['fmnist_vae', 100, false],
  ['cifar100_allcnnc', 350, true],
  ['svhn_wrn164', 160, true],
  ['tolstoi_char_rnn', 200, true],
];
const SCHEDULES = ['none', 'cosine', 'cosine_wr', 'ltr'];
const OPTIMIZERS = ['SGD', 'Momentum', 'NAG', 'Adam', 'AMSGrad', 'Nadam', 'RAdam', 'AdaBelief', 'AdaBound', 'AMSBound', 'Adagrad', 'Adadelta', 'RMSProp', 'LookaheadMomentum', 'LookaheadRAdam'];

/** A learning curve that improves with a setting-dependent rate and diverges for too large learning rates. */
function synthetic(problem: [string, number, boolean], optimizer: string, lr: number, momentum: number, seed: number, rng: Rng): DeepobsResult {
  const [name, n, acc] = problem;
  const quality = Math.exp(-((Math.log10(lr) + 2.5) ** 2) / 2) * (0.6 + 0.4 * momentum);
  const divergeAt = lr > 0.3 ? 1 + rng.int(n) : Infinity;
  const curve = (start: number, end: number, noise: number, gap: number) =>
    Array.from({ length: n + 1 }, (_, e) => (e >= divergeAt ? NaN : end + (start - end) * Math.exp((-5 * quality * e) / n) + gap + noise * rng.normal()));
  const loss = (gap: number) => curve(2.3, 0.3 + (1 - quality), 0.01, gap);
  const accuracy = (gap: number) => curve(0.1, 0.5 + 0.45 * quality, 0.005, -gap).map((v) => Math.min(1, v));
  return {
    format: '1.2',
    testproblem: name,
    optimizer,
    batchSize: 128,
    numEpochs: n,
    randomSeed: seed,
    weightDecay: null,
    weightDecayKey: 'weight_decay',
    hyperparams: { lr, momentum },
    trainingParams: {},
    trainLogInterval: 10,
    metrics: {
      train_losses: loss(0),
      valid_losses: loss(0.05),
      test_losses: loss(0.06),
      ...(acc ? { train_accuracies: accuracy(0), valid_accuracies: accuracy(0.02), test_accuracies: accuracy(0.025) } : {}),
    },
    extra: {},
  };
}

async function generate(dir: string, files: number): Promise<number> {
  const groups = SCHEDULES.length * PROBLEMS.length * OPTIMIZERS.length;
  // Per group: random-search settings with seed 42, and the best one re-run with 9 more seeds (Crowded Valley).
  const settings = Math.max(1, Math.round(files / groups) - 9);
  const rng = new Rng(7);
  let written = 0;
  for (const schedule of SCHEDULES)
    for (const p of PROBLEMS)
      for (const opt of OPTIMIZERS)
        for (let s = 0; s < settings; s++) {
          const lr = 10 ** (-4 + 4 * rng.next());
          const momentum = 1 - 10 ** (-4 + 4 * rng.next());
          for (const seed of s === 0 ? [42, 43, 44, 45, 46, 47, 48, 49, 50, 51] : [42]) {
            await writeResultFile(join(dir, schedule), synthetic(p, opt, lr, momentum, seed, rng), { date: new Date(2026, 0, 1) });
            written++;
          }
        }
  return written;
}

interface PhaseResult {
  seconds: number;
  maxRssMb: number;
  peakHeapMb: number;
  /** Heap still in use after a full GC at the end, with the phase's result alive: what the phase keeps. */
  retainedHeapMb: number;
  files: number;
}

/** Runs in the child: one phase, reporting wall time and peaks as a JSON line. */
async function phase(name: string, dir: string): Promise<void> {
  let peakHeap = 0;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
  const t0 = performance.now();
  let files = 0;
  let kept: unknown;
  if (name === 'parse') {
    // The same walk and read-ahead the analyzer uses, doing nothing with the results.
    const { readResultsInOrder } = await import('../packages/deepobs/src/analyzer/collect.js');
    for await (const { read } of readResultsInOrder(dir)) {
      if (!read.ok) throw read.error;
      files++;
    }
  } else if (name === 'collect') {
    const { collectResults } = await import('../packages/deepobs/src/analyzer/collect.js');
    const { resultsTable } = await import('../packages/deepobs/src/analyzer/table.js');
    const { performanceProfiles, timesToTarget } = await import('../packages/deepobs/src/analyzer/profiles.js');
    const a = await collectResults(dir, { mode: 'final', split: 'valid', thresholds: { quadratic_deep: 1.4, fmnist_2c2d: 0.8 } });
    kept = [a, resultsTable(a), performanceProfiles(timesToTarget(a))];
    files = a.files;
  } else {
    const { analyze } = await import('../packages/deepobs/src/analyzer/report.js');
    const r = await analyze({ results: dir, out: join(dir, '..', 'report'), thresholds: { quadratic_deep: 1.4, fmnist_2c2d: 0.8 } });
    files = r.analysis.files;
    kept = r;
  }
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  (globalThis as { gc?: () => void }).gc?.();
  const retained = process.memoryUsage().heapUsed;
  const out: PhaseResult = { seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, peakHeapMb: peakHeap / 2 ** 20, retainedHeapMb: retained / 2 ** 20, files };
  if (kept === undefined && name !== 'parse') throw new Error('nothing kept');
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

async function main(): Promise<void> {
  const [, , first, second] = process.argv;
  if (first === '--phase') return phase(second, process.argv[4]);
  const files = Number(first ?? 50000);
  const keep = process.argv.includes('--keep');
  const root = mkdtempSync(join(tmpdir(), 'bench-analyzer-'));
  const dir = join(root, 'results');
  try {
    const t0 = performance.now();
    const written = await generate(dir, files);
    console.log(`generated ${written} result files in ${((performance.now() - t0) / 1000).toFixed(1)} s under ${dir}`);
    const results: Record<string, PhaseResult> = {};
    for (const name of ['parse', 'collect', 'report']) {
      const child = spawnSync(process.execPath, [...process.execArgv, '--expose-gc', __filename, '--phase', name, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (child.status !== 0) throw new Error(`phase ${name} failed:\n${child.stderr}`);
      results[name] = JSON.parse(child.stdout.trim().split('\n').pop() as string) as PhaseResult;
      const r = results[name];
      console.log(
        `${name.padEnd(8)} ${r.files} files  ${r.seconds.toFixed(1)} s  (${(r.seconds / results.parse.seconds).toFixed(2)}× parse)  ` +
          `peak RSS ${r.maxRssMb.toFixed(0)} MB  peak heap ${r.peakHeapMb.toFixed(0)} MB  retained heap ${r.retainedHeapMb.toFixed(0)} MB`,
      );
    }
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
