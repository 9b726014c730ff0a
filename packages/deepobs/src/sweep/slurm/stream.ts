// Streaming a sweep live: each array task runs `flightdeck train … --bridge <address>`, which trains like `deepobs
// run`, writes the same DeepOBS result file (--deepobs) and streams its records to a `flightdeck serve`. The
// command is named, not imported: the bridge builds on this package, not the other way round.
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { SweepRun } from '../spec.js';

/**
 * CurveZMQ keys of array tasks that stream to a `flightdeck serve --public`: the server's public key and a key pair
 * file (from `flightdeck keys --out`, one of the server's --allow-keys) on a filesystem the nodes share. Only the
 * file's path goes into the job script, never the secret key.
 */
export interface StreamCurve {
  serverKey: string;
  clientKeysFile: string;
}

/** The `flightdeck train` arguments of a run that streams to `address`; the result file lands in `run.outputDir`. */
export function trainArgs(run: SweepRun, address: string, outputDir = run.outputDir, curve?: StreamCurve): string[] {
  const args = ['train', run.problem, '--optimizer', run.optimizer];
  for (const k of Object.keys(run.hyperparameters).sort()) {
    const v = String(run.hyperparameters[k]);
    args.push(...(k === 'lr' ? ['--lr', v] : ['--hp', `${k}=${v}`]));
  }
  args.push('--seed', String(run.seed));
  if (run.numEpochs !== undefined) args.push('--epochs', String(run.numEpochs));
  if (run.batchSize !== undefined) args.push('--batch-size', String(run.batchSize));
  if (run.lrSchedule !== undefined) args.push('--lr-schedule', run.lrSchedule);
  if (run.trainLogInterval !== undefined) args.push('--train-log-interval', String(run.trainLogInterval));
  if (run.weightDecay !== undefined) args.push('--weight-decay', String(run.weightDecay));
  args.push('--deepobs', outputDir, '--bridge', address);
  if (curve) args.push('--curve-server-key', curve.serverKey, '--curve-client-keys', curve.clientKeysFile);
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
