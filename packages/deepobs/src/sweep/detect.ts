// Result detection: a run is finished when its output folder holds a result file for its problem, optimizer, seed
// and hyperparameters. Files are matched by content (not by predicting the setting folder's name), so defaults
// filled in by the runner and any naming detail cannot make a finished run look pending.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
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

/** A result file as last read: its stamp (so that an unchanged file is not read again) and what it holds. */
interface Scanned {
  stamp: string;
  found?: Found;
}

/**
 * Caches the result files of each <outputDir>/<problem>/<optimizer folder>. `refresh` lists the folder again after a
 * run but reads only files that are new or changed since, so a sweep of n runs reads each result file about once.
 */
export class ResultIndex {
  private readonly folders = new Map<string, Map<string, Scanned>>();

  private folder(r: SweepRun): string {
    return join(r.outputDir, r.problem, optimizerFolder(r.optimizer));
  }

  async find(r: SweepRun): Promise<string | undefined> {
    const dir = this.folder(r);
    let files = this.folders.get(dir);
    if (!files) this.folders.set(dir, (files = await scan(dir, new Map())));
    return match(files, r);
  }

  async refresh(r: SweepRun): Promise<string | undefined> {
    const dir = this.folder(r);
    const files = await scan(dir, this.folders.get(dir) ?? new Map());
    this.folders.set(dir, files);
    return match(files, r);
  }
}

function match(files: Map<string, Scanned>, r: SweepRun): string | undefined {
  for (const { found } of files.values()) if (found && resultMatches(r, found.result)) return found.path;
  return undefined;
}

/** The result files now in `dir`, reusing what `previous` read of files whose size and mtime did not change. */
async function scan(dir: string, previous: Map<string, Scanned>): Promise<Map<string, Scanned>> {
  const files = new Map<string, Scanned>();
  if (!existsSync(dir)) return files;
  for (const setting of (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory())) {
    for (const f of await readdir(join(dir, setting.name))) {
      if (!/^random_seed__-?\d+__.+\.json$/.test(f)) continue;
      const path = join(dir, setting.name, f);
      const info = await stat(path);
      const stamp = `${info.size}:${Math.trunc(info.mtimeMs)}`;
      const known = previous.get(path);
      files.set(path, known?.stamp === stamp ? known : { stamp, found: await readFound(path) });
    }
  }
  return files;
}

/** An unreadable file is not a finished run: the run is done again and writes a good one. */
async function readFound(path: string): Promise<Found | undefined> {
  const read = await readResultFile(path);
  if (!read.ok) return undefined;
  const { randomSeed, numEpochs, batchSize, hyperparams, weightDecay } = read.result;
  return { path, result: { randomSeed, numEpochs, batchSize, hyperparams, weightDecay } };
}
