// Result detection: a run is finished when its output folder holds a result file for its problem, optimizer, seed
// and hyperparameters. Files are matched by content (not by predicting the setting folder's name), so defaults
// filled in by the runner and any naming detail cannot make a finished run look pending.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readResultFile, type DeepobsResult } from '@flightdeck/core';
import { getOptimizer } from '../optimizers/index.js';
import type { SweepRun } from './spec.js';

interface Found {
  path: string;
  result: Pick<DeepobsResult, 'randomSeed' | 'numEpochs' | 'batchSize' | 'hyperparams' | 'weightDecay'>;
}

/** The optimizer's DeepOBS folder name (registry), or the name itself for optimizers the registry does not know. */
export function optimizerFolder(optimizer: string): string {
  try {
    return getOptimizer(optimizer).folderName;
  } catch {
    return optimizer;
  }
}

export function resultMatches(r: SweepRun, f: Found['result']): boolean {
  if (f.randomSeed !== r.seed) return false;
  if (r.numEpochs !== undefined && f.numEpochs !== r.numEpochs) return false;
  if (r.batchSize !== undefined && f.batchSize !== r.batchSize) return false;
  if (r.weightDecay !== undefined && f.weightDecay !== r.weightDecay) return false;
  return Object.entries(r.hyperparameters).every(([k, v]) => f.hyperparams[k] === v);
}

/** Caches the result files of each <outputDir>/<problem>/<optimizer folder>; `refresh` re-reads one after a run. */
export class ResultIndex {
  private readonly cache = new Map<string, Found[]>();

  private folder(r: SweepRun): string {
    return join(r.outputDir, r.problem, optimizerFolder(r.optimizer));
  }

  async find(r: SweepRun): Promise<string | undefined> {
    const dir = this.folder(r);
    let found = this.cache.get(dir);
    if (!found) this.cache.set(dir, (found = await scan(dir)));
    return found.find((f) => resultMatches(r, f.result))?.path;
  }

  async refresh(r: SweepRun): Promise<string | undefined> {
    this.cache.delete(this.folder(r));
    return this.find(r);
  }
}

async function scan(dir: string): Promise<Found[]> {
  if (!existsSync(dir)) return [];
  const found: Found[] = [];
  for (const setting of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const f of await readdir(join(dir, setting.name))) {
      if (!/^random_seed__-?\d+__.+\.json$/.test(f)) continue;
      const read = await readResultFile(join(dir, setting.name, f));
      // An unreadable file is not a finished run: the run is done again and writes a good one.
      if (!read.ok) continue;
      const { randomSeed, numEpochs, batchSize, hyperparams, weightDecay } = read.result;
      found.push({ path: join(dir, setting.name, f), result: { randomSeed, numEpochs, batchSize, hyperparams, weightDecay } });
    }
  }
  return found;
}
