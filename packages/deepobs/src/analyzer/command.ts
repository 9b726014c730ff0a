// `deepobs analyze` and `deepobs estimate-runtime`, as commander sub-commands the deepobs CLI mounts.
import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { selectBackend, type BackendName } from '@flightdeck/core';
import { parseAssignments } from '../sweep/spec.js';
import { analyze } from './report.js';
import { estimateRuntime } from './runtime.js';
import { formatTableMarkdown } from './table.js';

const collect = (v: string, prev: string[]) => [...prev, v];

export function analyzeCommand(): Command {
  return new Command('analyze')
    .description('analyze DeepOBS result folders (1.1 and 1.2): figures, results table, performance profiles, one HTML report')
    .argument('<results-dir>', 'folder of results (<problem>/<optimizer>/<setting>/random_seed__*.json, any levels above)')
    .option('--baselines <dir>', 'reference results drawn in grey (e.g. the original DeepOBS baselines)')
    .addOption(new Option('--metric <split>', 'split that picks the best setting').choices(['valid', 'test']).default('valid'))
    .addOption(new Option('--mode <mode>', 'final value, best value on the curve, or the setting with most seeds').choices(['final', 'best', 'most']).default('final'))
    .option('--thresholds <file>', 'convergence_performance.json (default: the one in the results or baselines folder)')
    .option('--no-png', 'write SVG only')
    .requiredOption('-o, --out <dir>', 'report folder', 'report')
    .action(async (results: string, o: { baselines?: string; metric: 'valid' | 'test'; mode: 'final' | 'best' | 'most'; thresholds?: string; png: boolean; out: string }) => {
      const tty = process.stderr.isTTY;
      const report = await analyze({
        results,
        baselines: o.baselines,
        out: o.out,
        split: o.metric,
        mode: o.mode,
        png: o.png,
        ...(o.thresholds ? { thresholds: JSON.parse(await readFile(o.thresholds, 'utf8')) as Record<string, number> } : {}),
        onFile: (n) => {
          if (tty && n % 500 === 0) process.stderr.write(`\rread ${n} result files`);
        },
      });
      if (tty) process.stderr.write('\n');
      process.stdout.write(`${formatTableMarkdown(report.table)}\n\n`);
      for (const s of report.analysis.skipped) process.stderr.write(`skipped ${s.file}: ${s.reason}\n`);
      process.stdout.write(`${report.analysis.files} files, report: ${report.html}\n`);
    });
}

export function estimateRuntimeCommand(): Command {
  return new Command('estimate-runtime')
    .description('wall-time overhead of an optimizer against SGD on a problem (DeepOBS estimate_runtime)')
    .requiredOption('--optimizer <name>', 'optimizer registry name')
    .option('--hp <name=value>', 'a hyperparameter of the optimizer (repeatable)', collect, [])
    .option('--problem <name>', 'test problem', 'mnist_mlp')
    .option('--batch-size <n>', 'batch size (alias --batch_size)', Number, 128)
    .option('--epochs <n>', 'epochs per run (alias --num_epochs)', Number, 5)
    .option('--runs <n>', 'runs of each optimizer', Number, 5)
    .option('--sgd-lr <lr>', 'SGD learning rate', Number, 0.01)
    .option('--backend <name>', 'tfjs backend: auto | node-gpu | node | wasm | cpu', 'auto')
    .option('--data-dir <dir>', 'data folder (alias --data_dir)')
    .option('--json <file>', 'also write the estimate as JSON')
    .action(async (o: { optimizer: string; hp: string[]; problem: string; batchSize: number; epochs: number; runs: number; sgdLr: number; backend: BackendName; dataDir?: string; json?: string }) => {
      const backend = await selectBackend(o.backend);
      process.stderr.write(`backend: ${backend.name}\n`);
      const est = await estimateRuntime({
        optimizer: o.optimizer,
        hyperparameters: parseAssignments(o.hp),
        problem: o.problem,
        batchSize: o.batchSize,
        numEpochs: o.epochs,
        runs: o.runs,
        sgdLr: o.sgdLr,
        ...(o.dataDir ? { data: { dataDir: o.dataDir } } : {}),
        onRun: (r) => process.stderr.write(`run ${r.index + 1}/${o.runs} ${r.optimizer}: ${r.seconds.toFixed(2)} s\n`),
      });
      process.stdout.write(`${o.optimizer} / SGD on ${est.problem}: ${est.mean.toFixed(3)} ± ${est.std.toFixed(3)} (ratios ${est.ratios.map((r) => r.toFixed(3)).join(', ')})\n`);
      if (o.json) await writeFile(o.json, JSON.stringify(est, null, 2));
    });
}
