// `deepobs tune`: grid, random or Bayesian search for one problem and optimizer, on the validation metric.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { selectBackend, type BackendName } from '@flightdeck/core';
import { LocalExecutor } from '../sweep/executor.js';
import { runOneWith } from '../sweep/run-one.js';
import { parseAssignments, type SweepRun } from '../sweep/spec.js';
import { runObjective, type RunOne } from './objective.js';
import { crowdedValleySpace, DEEPOBS_LR_GRID, parseDimension } from './space.js';
import { tune, type Strategy } from './tuner.js';

const collect = (v: string, prev: string[]) => [...prev, v];

interface TuneFlags {
  optimizer: string;
  strategy: 'grid' | 'random' | 'bayes';
  budget: number;
  grid: string[];
  space: string[];
  acquisition: 'ucb' | 'ei';
  kernel: 'rbf' | 'matern52';
  init: number;
  metric: 'valid' | 'test';
  mode: 'final' | 'best';
  seed: number;
  rerunSeeds: number;
  tunerSeed: number;
  hp: string[];
  epochs?: number;
  batchSize?: number;
  lrSchedule?: string;
  trainLogInterval?: number;
  outputDir: string;
  log?: string;
  workers: number;
  retries: number;
  runner?: string;
  inProcess?: boolean;
  backend: BackendName;
}

/** "lr=deepobs" is DeepOBS's 36-point lr grid; "lr=0.1,0.01" a list. */
function parseGrid(items: string[]): Record<string, number[]> {
  return Object.fromEntries(
    items.map((item) => {
      const [name, values] = item.split('=');
      if (!name || !values) throw new Error(`--grid expects name=v1,v2,… or name=deepobs, got "${item}"`);
      const list = values === 'deepobs' ? [...DEEPOBS_LR_GRID] : values.split(',').map(Number);
      if (list.some((v) => !Number.isFinite(v))) throw new Error(`--grid "${item}": every value must be a number`);
      return [name, list];
    }),
  );
}

function strategyOf(o: TuneFlags): Strategy {
  if (o.strategy === 'grid') return { kind: 'grid', grid: parseGrid(o.grid.length ? o.grid : ['lr=deepobs']) };
  const space = o.space.length ? o.space.map(parseDimension) : crowdedValleySpace(o.optimizer);
  if (space.length === 0) throw new Error(`${o.optimizer} has no Crowded Valley tuning space; give --space name:scale:low:high`);
  return o.strategy === 'random' ? { kind: 'random', space } : { kind: 'bayes', space, acquisition: o.acquisition, kernel: o.kernel, initialSamples: o.init };
}

async function inProcessRunOne(backend: BackendName): Promise<RunOne> {
  await selectBackend(backend);
  const { runProblem } = await import('../runner/index.js');
  const discard = { write: () => undefined, flush: async () => undefined, close: async () => undefined };
  return async (run: SweepRun) => {
    const outcome = await runProblem(run, discard);
    if (!outcome.resultPath) throw new Error(`run of ${run.problem}/${run.optimizer} wrote no result file`);
    return outcome.resultPath;
  };
}

export function tuneCommand(): Command {
  return new Command('tune')
    .description('tune an optimizer on a problem (grid, random or Bayesian search) on the validation metric, then rerun the best setting')
    .argument('<problem>', 'test problem')
    .requiredOption('--optimizer <name>', 'optimizer registry name')
    .addOption(new Option('--strategy <kind>', 'search strategy').choices(['grid', 'random', 'bayes']).default('random'))
    .requiredOption('--budget <runs>', 'number of tuning runs', Number)
    .option('--grid <name=values>', 'grid values, e.g. lr=deepobs (the 36-point DeepOBS grid) or lr=0.1,0.01 (repeatable)', collect, [])
    .option('--space <name:scale:low:high>', 'a search dimension (default: the Crowded Valley space of the optimizer; repeatable)', collect, [])
    .addOption(new Option('--acquisition <a>', 'Bayesian optimisation acquisition').choices(['ucb', 'ei']).default('ucb'))
    .addOption(new Option('--kernel <k>', 'Gaussian-process kernel').choices(['rbf', 'matern52']).default('matern52'))
    .option('--init <n>', 'random runs before the GP takes over', Number, 5)
    .addOption(new Option('--metric <split>', 'split to tune on').choices(['valid', 'test']).default('valid'))
    .addOption(new Option('--mode <mode>', 'final value or best value of the curve').choices(['final', 'best']).default('final'))
    .option('--seed <s>', 'random seed of every tuning run', Number, 42)
    .option('--rerun-seeds <n>', 'rerun the best setting with this many more seeds (seed+1 …)', Number, 0)
    .option('--tuner-seed <s>', "seed of the tuner's own random numbers", Number, 0)
    .option('--hp <name=value>', 'a fixed hyperparameter (repeatable)', collect, [])
    .option('--epochs <n>', 'epochs per run (alias --num_epochs)', Number)
    .option('--batch-size <n>', 'batch size (alias --batch_size)', Number)
    .option('--lr-schedule <name>', 'learning-rate schedule (alias --lr_schedule)')
    .option('--train-log-interval <n>', 'log the mini-batch loss every n steps (alias --train_log_interval)', Number)
    .option('--output-dir <dir>', 'DeepOBS results folder (alias --output_dir)', './results')
    .option('--log <file>', 'tuning log, JSON lines (default <output-dir>/tuning_log_<problem>_<optimizer>.jsonl)')
    .option('--workers <n>', 'runs at once for grid and random search', Number, 1)
    .option('--retries <n>', 'retries of a crashed run', Number, 1)
    .option('--runner <command>', 'command that starts the DeepOBS runner (default: this deepobs)')
    .option('--in-process', 'run in this process with runProblem instead of child processes')
    .option('--backend <name>', 'tfjs backend for --in-process', 'auto')
    .action(async (problem: string, o: TuneFlags) => {
      const strategy = strategyOf(o);
      const logFile = o.log ?? join(o.outputDir, `tuning_log_${problem}_${o.optimizer}.jsonl`);
      const runOne = o.inProcess
        ? await inProcessRunOne(o.backend)
        : runOneWith(
            new LocalExecutor({
              runner: o.runner ? o.runner.split(' ').filter(Boolean) : [process.execPath, process.argv[1]],
              workers: 1,
              maxAttempts: 1 + o.retries,
              logDir: join(o.outputDir, 'logs'),
            }),
          );
      const base: Omit<SweepRun, 'seed'> = {
        problem,
        optimizer: o.optimizer,
        hyperparameters: parseAssignments(o.hp),
        outputDir: o.outputDir,
        ...(o.epochs !== undefined ? { numEpochs: o.epochs } : {}),
        ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
        ...(o.lrSchedule !== undefined ? { lrSchedule: o.lrSchedule } : {}),
        ...(o.trainLogInterval !== undefined ? { trainLogInterval: o.trainLogInterval } : {}),
      };
      await mkdir(dirname(logFile), { recursive: true });
      await writeFile(logFile, '');
      const total = o.budget + o.rerunSeeds;
      const result = await tune({
        strategy,
        budget: o.budget,
        objective: runObjective(runOne, base, { split: o.metric, mode: o.mode }),
        runSeed: o.seed,
        rerunSeeds: Array.from({ length: o.rerunSeeds }, (_, i) => o.seed + 1 + i),
        tunerSeed: o.tunerSeed,
        concurrency: o.inProcess ? 1 : o.workers,
        logFile,
        onTrial: (e) =>
          process.stderr.write(
            `[${e.kind === 'trial' ? e.index + 1 : o.budget + e.index + 1}/${total}] ${e.kind} ${JSON.stringify(e.setting)} seed ${e.seed}: ${e.metric || 'no value'} = ${e.value ?? e.error ?? 'NaN'}\n`,
          ),
      });
      process.stdout.write(
        `best ${JSON.stringify(result.best.setting)}: ${result.best.metric} = ${result.best.value}` +
          (result.reruns.length ? `; over ${result.bestOverSeeds.seeds} seeds ${result.bestOverSeeds.mean} ± ${result.bestOverSeeds.std}` : '') +
          `\ntuning log: ${logFile}\n`,
      );
    });
}
