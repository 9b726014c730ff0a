// Where DeepOBS puts a result: <out>/<problem>/<optimizer>/<setting folder>/random_seed__<seed>__<time>.json.
import { float2str, pyStr } from './float2str.js';
import { isFloatHyperparam, type DeepobsFormat, type DeepobsResult } from './result.js';

const RESULT_FILE = /^random_seed__(-?\d+)__(.+)\.json$/;

/**
 * The setting folder, exactly as DeepOBS names it.
 * 1.1: num_epochs__N__batch_size__B[__weight_decay__wd]__<hps sorted>__lr__<lr> (or __lr_schedule__0_<lr>_<e>_<lr·f>…).
 * 1.2: num_epochs__N__batch_size__B[__weight_decay__wd]__<hps incl. lr sorted>[__<training params sorted>].
 */
export function settingFolderName(r: DeepobsResult, format: DeepobsFormat = r.format): string {
  let name = `num_epochs__${r.numEpochs}__batch_size__${r.batchSize}`;
  if (r.weightDecay !== null) name += `__weight_decay__${float2str(r.weightDecay)}`;
  const { learning_rate: lr, ...others } = r.hyperparams;
  const hps = format === '1.1' ? others : r.hyperparams;
  for (const k of Object.keys(hps).sort()) name += `__${k}__${pyStr(hps[k], isFloatHyperparam(r, k, hps[k]))}`;
  if (format === '1.1') {
    if (typeof lr !== 'number') throw new TypeError('a DeepOBS 1.1 setting needs hyperparams.learning_rate');
    const epochs = r.trainingParams.lr_sched_epochs;
    const factors = r.trainingParams.lr_sched_factors;
    if (!Array.isArray(epochs) || !Array.isArray(factors)) return `${name}__lr__${float2str(lr)}`;
    name += `__lr_schedule__0_${float2str(lr)}`;
    epochs.forEach((e, i) => (name += `_${e}_${float2str(Number(factors[i]) * lr)}`));
    return name;
  }
  for (const k of Object.keys(r.trainingParams).sort()) {
    const v = r.trainingParams[k];
    if (v !== null) name += `__${k}__${pyStr(v, k === 'lr_sched_factors')}`;
  }
  return name;
}

/** `random_seed__<seed>__<YYYY-MM-DD-HH-MM-SS>.json` in local time, as DeepOBS's time.strftime writes it. */
export function resultFileName(seed: number, date: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const t = `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}-${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
  return `random_seed__${seed}__${t}.json`;
}

/** The folder of a run's seed files relative to the output directory: <problem>/<optimizer>/<setting>. */
export function settingPath(r: DeepobsResult, format: DeepobsFormat = r.format): string[] {
  return [r.testproblem, r.optimizer, settingFolderName(r, format)];
}

/** What a result file's path says about it. */
export interface ResultFileRef {
  path: string;
  /** Folders above the problem folder, relative to the searched root (Crowded Valley: budget, schedule). */
  prefix: string[];
  problem: string;
  optimizer: string;
  setting: string;
  seed: number;
}

/** Parses `.../<problem>/<optimizer>/<setting>/random_seed__<s>__<t>.json`; undefined for other files. */
export function parseResultPath(relativeParts: string[], path: string): ResultFileRef | undefined {
  const file = relativeParts[relativeParts.length - 1];
  const m = RESULT_FILE.exec(file ?? '');
  if (!m || relativeParts.length < 4) return undefined;
  const n = relativeParts.length;
  return { path, prefix: relativeParts.slice(0, n - 4), problem: relativeParts[n - 4], optimizer: relativeParts[n - 3], setting: relativeParts[n - 2], seed: Number(m[1]) };
}
