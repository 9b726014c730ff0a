// Streaming a sweep live: each array task runs `flightdeck train … --bridge <address>`, which trains like `deepobs
// run`, writes the same DeepOBS result file (--deepobs) and streams its records to a `flightdeck serve`. The
// command is named, not imported: the bridge builds on this package, not the other way round.
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SweepRun } from '../spec.js';

/** The `flightdeck train` arguments of a run that streams to `address`; the result file lands in `run.outputDir`. */
export function trainArgs(run: SweepRun, address: string, outputDir = run.outputDir): string[] {
  const unsupported = [
    run.lrSchedule !== undefined && `lr schedule "${run.lrSchedule}"`,
    run.trainLogInterval !== undefined && `train_log_interval ${run.trainLogInterval}`,
    run.weightDecay !== undefined && `weight decay ${run.weightDecay}`,
  ].filter(Boolean);
  if (unsupported.length) throw new Error(`--stream runs \`flightdeck train\`, which does not take the ${unsupported.join(', ')} of ${run.problem} seed ${run.seed}; run this sweep without --stream`);
  const args = ['train', run.problem, '--optimizer', run.optimizer];
  for (const k of Object.keys(run.hyperparameters).sort()) {
    const v = String(run.hyperparameters[k]);
    args.push(...(k === 'lr' ? ['--lr', v] : ['--hp', `${k}=${v}`]));
  }
  args.push('--seed', String(run.seed));
  if (run.numEpochs !== undefined) args.push('--epochs', String(run.numEpochs));
  if (run.batchSize !== undefined) args.push('--batch-size', String(run.batchSize));
  args.push('--deepobs', outputDir, '--bridge', address);
  return args;
}

/**
 * `flightdeck` found on PATH, as [node, its real entry script]: a compute node's batch shell may have neither
 * flightdeck nor node on PATH (the script's `#!/usr/bin/env node` would fail), so both go into the job script by
 * absolute path. Undefined when flightdeck is not on PATH.
 */
export function flightdeckRunner(path = process.env.PATH ?? ''): string[] | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'flightdeck');
    try {
      accessSync(candidate, constants.X_OK);
      return [process.execPath, realpathSync(candidate)];
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
