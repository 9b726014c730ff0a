import { InvalidArgumentError, type Command } from 'commander';
import { BACKEND_NAMES, FanOut, RunStore, selectBackend, type BackendName, type Sink } from '@flightdeck/core';
import { finiteNumber, integer, listOf, positiveInteger, runProblem, type RunProgress, type RunSpec } from '@flightdeck/deepobs';
import { BridgeClient } from '../client/index.js';
import { checkCurveKey } from '../ingest/index.js';
import { StoreFanOutSink } from '../pipeline/index.js';
import { port, positiveNumber, readKeyPairFile } from './options.js';
import { DEFAULT_STORE } from './runs.js';

interface TrainFlags {
  optimizer: string;
  lr?: number;
  hp: Array<[string, number | boolean]>;
  epochs?: number;
  batchSize?: number;
  seed?: number;
  cockpit?: string;
  backend: string;
  dataDir?: string;
  synthetic?: boolean;
  syntheticSize?: number;
  store: string;
  bridge?: string;
  deepobs?: string;
  dashboard?: boolean;
  httpPort: number;
  runId?: string;
  weightDecay?: number;
  trainLogInterval?: number;
  lrSchedule?: string;
  lrSchedEpochs?: number[];
  lrSchedFactors?: number[];
  curveServerKey?: string;
  curveClientKeys?: string;
}

const PRESETS = ['economy', 'business', 'full'] as const;

/** `--hp name=value` with a number or true/false. */
function hyperparameter(value: string, previous: Array<[string, number | boolean]>): Array<[string, number | boolean]> {
  const m = /^([A-Za-z_]\w*)=(.+)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected name=value, got "${value}"`);
  if (m[2] === 'true' || m[2] === 'false') return [...previous, [m[1], m[2] === 'true']];
  const n = Number(m[2]);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`the value of ${m[1]} must be a number or true/false, got "${m[2]}"`);
  return [...previous, [m[1], n]];
}

/** A progress line per epoch and a throttled one per step, with the runner's ETA. */
function progressLines(write: (line: string) => void): RunProgress {
  let lastStepLine = 0;
  return {
    onStart: (i) => write(`run ${i.runId}: ${i.numEpochs} epochs × ${i.stepsPerEpoch} steps (batch ${i.batchSize}), backend ${i.backend}, data ${i.dataSource}`),
    onStep: (s) => {
      if (Date.now() - lastStepLine < 2000) return;
      lastStepLine = Date.now();
      write(`epoch ${s.epoch + 1}/${s.numEpochs} step ${s.stepInEpoch}/${s.stepsPerEpoch} loss ${s.loss.toFixed(4)} ETA ${Math.round(s.etaMs / 1000)} s`);
    },
    onEvaluation: (e) => write(`epoch ${e.epoch}: ${Object.entries(e.metrics).map(([k, v]) => `${k} ${v!.toFixed(4)}`).join(', ')}`),
  };
}

export function trainCommand(program: Command): void {
  program
    .command('train <problem>')
    .description('run a DeepOBS test problem in tfjs (optionally with Cockpit) into the store and the live views')
    .requiredOption('--optimizer <name>', 'optimizer, e.g. SGD, Momentum, Adam')
    .option('--lr <rate>', 'learning rate', positiveNumber)
    .option('--hp <name=value>', 'another optimizer hyperparameter (repeatable)', hyperparameter, [])
    .option('--epochs <n>', 'number of epochs (default: the problem\'s)', positiveInteger('--epochs'))
    .option('--batch-size <n>', 'batch size (default: the problem\'s)', positiveInteger('--batch-size'))
    .option('--seed <n>', 'random seed (default 42)', integer('--seed'))
    .option('--weight-decay <x>', 'L2 factor (default: the problem\'s)', finiteNumber('--weight-decay'))
    .option('--train-log-interval <n>', 'log the mini-batch loss every n steps (default 10)', positiveInteger('--train-log-interval'))
    .option('--lr-schedule <name>', 'learning-rate schedule: none, cosine, cosine_wr, ltr (trapezoidal)')
    .option('--lr-sched-epochs <e...>', 'DeepOBS LR-schedule runner: epochs where the factor changes', listOf(integer('--lr-sched-epochs')))
    .option('--lr-sched-factors <f...>', 'DeepOBS LR-schedule runner: the factors (relative to --lr)', listOf(finiteNumber('--lr-sched-factors')))
    .option('--cockpit <preset>', `attach Cockpit: ${PRESETS.join(', ')}`)
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .option('--data-dir <dir>', 'where the problem\'s data sets are')
    .option('--synthetic', 'use generated data of the problem\'s shape (no download)')
    .option('--synthetic-size <n>', 'examples per split of the generated data', positiveInteger('--synthetic-size'))
    .option('--store <dir>', 'run store folder', DEFAULT_STORE)
    .option('--bridge <endpoint>', 'stream to a running `flightdeck serve` instead of writing the store here')
    .option('--curve-server-key <z85>', 'with --bridge: the CurveZMQ public key of a `flightdeck serve --curve-keys`')
    .option('--curve-client-keys <file>', 'with --bridge: this client\'s CurveZMQ key pair (from `flightdeck keys --out`), one of the server\'s --allow-keys')
    .option('--deepobs <dir>', 'also write the DeepOBS JSON result under this folder')
    .option('--dashboard', 'serve the live dashboard while training')
    .option('--http-port <port>', 'dashboard port', port, 8080)
    .option('--run-id <id>', 'run id (default <problem>-<optimizer>-<seed>-<time>)')
    .action(async (problem: string, flags: TrainFlags) => {
      if (flags.cockpit !== undefined && !(PRESETS as readonly string[]).includes(flags.cockpit)) throw new Error(`--cockpit must be one of ${PRESETS.join(', ')}, got "${flags.cockpit}"`);
      if (!(BACKEND_NAMES as readonly string[]).includes(flags.backend)) throw new Error(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got "${flags.backend}"`);
      if (flags.bridge && flags.dashboard) throw new Error('--dashboard shows this process\'s runs; with --bridge the serving process shows them');
      if (!flags.bridge && (flags.curveServerKey || flags.curveClientKeys)) throw new Error('--curve-server-key and --curve-client-keys are for streaming with --bridge');
      if (!flags.curveServerKey !== !flags.curveClientKeys) throw new Error('--curve-server-key and --curve-client-keys go together (the server\'s public key and this client\'s key pair)');
      const curve = flags.curveServerKey
        ? { serverPublicKey: checkCurveKey(flags.curveServerKey, '--curve-server-key'), ...readKeyPairFile(flags.curveClientKeys!) }
        : undefined;
      const hyperparameters: NonNullable<RunSpec['hyperparameters']> = Object.fromEntries(flags.hp);
      if (flags.lr !== undefined) hyperparameters.lr = flags.lr;
      const spec: RunSpec = {
        problem,
        optimizer: flags.optimizer,
        hyperparameters,
        numEpochs: flags.epochs,
        batchSize: flags.batchSize,
        seed: flags.seed,
        weightDecay: flags.weightDecay,
        trainLogInterval: flags.trainLogInterval,
        lrSchedule: flags.lrSchedule,
        lrSchedEpochs: flags.lrSchedEpochs,
        lrSchedFactors: flags.lrSchedFactors,
        cockpit: flags.cockpit as RunSpec['cockpit'],
        data: { dataDir: flags.dataDir, synthetic: flags.synthetic, syntheticSize: flags.syntheticSize },
        outputDir: flags.deepobs,
        runId: flags.runId,
      };
      const log = (line: string) => process.stderr.write(`flightdeck: ${line}\n`);
      const backend = await selectBackend(flags.backend as BackendName);
      log(`backend ${backend.name}`);
      let sink: Sink;
      let shutDown: () => Promise<void>;
      if (flags.bridge) {
        const client = new BridgeClient({ address: flags.bridge, log, curve });
        sink = client;
        shutDown = () => client.close();
      } else {
        const store = await RunStore.open(flags.store, { log });
        const live = new FanOut();
        const dashboard = flags.dashboard
          ? await (await import('@flightdeck/cockpit')).createDashboardServer({
              source: live,
              listRuns: () => store.runs(),
              readRun: (runId) => store.read(runId),
              port: flags.httpPort,
              log,
            })
          : undefined;
        if (dashboard) log(`dashboard at ${dashboard.url}`);
        sink = new StoreFanOutSink(store, live);
        shutDown = async () => {
          await sink.flush();
          await dashboard?.close();
          await live.close();
          await store.close();
        };
      }
      try {
        const outcome = await runProblem(spec, sink, progressLines(log));
        await sink.flush();
        log(`run ${outcome.runId} ${outcome.status}${outcome.message ? `: ${outcome.message}` : ''}; stored in ${flags.bridge ?? flags.store}`);
        if (outcome.resultPath) log(`DeepOBS result ${outcome.resultPath}`);
        process.stdout.write(`${outcome.runId}\n`);
      } finally {
        await shutDown();
      }
    });
}
