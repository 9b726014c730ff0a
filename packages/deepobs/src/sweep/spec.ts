// A sweep is a list of run specifications (problem × optimizer × setting × seed × schedule), read from a JSON file.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { gridSettings } from '../tuning/space.js';

/** One run of a sweep: the fields of the runner's RunSpec a sweep varies (assignable to it), with its seed and output folder fixed. */
export interface SweepRun {
  problem: string;
  /** Registry name, e.g. "SGD", "Momentum", "Adam". */
  optimizer: string;
  /** Given hyperparameters (registry names, e.g. lr); the rest take the optimizer's defaults. */
  hyperparameters: Record<string, number | boolean>;
  seed: number;
  numEpochs?: number;
  batchSize?: number;
  /** Learning-rate schedule name ("none", "cosine", "cosine_wr", "ltr"); absent = constant. */
  lrSchedule?: string;
  trainLogInterval?: number;
  weightDecay?: number;
  /** DeepOBS output folder of this run (the runner writes <outputDir>/<problem>/<optimizer folder>/<setting>/...). */
  outputDir: string;
}

/** A stable, readable identity of a run (status file key, log file name). */
export function runKey(r: SweepRun): string {
  const hps = Object.keys(r.hyperparameters)
    .sort()
    .map((k) => `${k}=${r.hyperparameters[k]}`)
    .join(',');
  const extras = [r.lrSchedule && `schedule=${r.lrSchedule}`, r.numEpochs !== undefined && `N=${r.numEpochs}`, r.batchSize !== undefined && `bs=${r.batchSize}`, r.weightDecay !== undefined && `wd=${r.weightDecay}`]
    .filter(Boolean)
    .join(',');
  return `${r.outputDir}|${r.problem}|${r.optimizer}|${hps}|seed=${r.seed}${extras ? `|${extras}` : ''}`;
}

/** The sweep file (JSON). Every optimizer's runs are its explicit `settings` plus the Cartesian `grid`. */
export interface SweepFile {
  output_dir: string;
  problems: string[];
  optimizers: Array<{ name: string; settings?: Array<Record<string, number | boolean>>; grid?: Record<string, number[]> }>;
  seeds: number[];
  /** With schedules, each run's output folder gets a schedule level, as in Crowded Valley: <output_dir>/<schedule>/… */
  schedules?: string[];
  num_epochs?: number;
  batch_size?: number;
  train_log_interval?: number;
  weight_decay?: number;
}

export class SweepSpecError extends Error {
  constructor(file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'SweepSpecError';
  }
}

/** Reads and expands a sweep file; relative output folders are relative to the file. */
export async function readSweepFile(file: string): Promise<SweepRun[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new SweepSpecError(file, `not a readable JSON file: ${(e as Error).message}`);
  }
  const spec = checkSweepFile(raw, file);
  const out = isAbsolute(spec.output_dir) ? spec.output_dir : join(dirname(file), spec.output_dir);
  return expandSweep({ ...spec, output_dir: out });
}

function checkSweepFile(raw: unknown, file: string): SweepFile {
  const fail = (d: string): never => {
    throw new SweepSpecError(file, d);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('the sweep must be a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.output_dir !== 'string' || o.output_dir === '') fail('"output_dir" must be a non-empty string');
  const strings = (k: string, required: boolean) => {
    if (o[k] === undefined && !required) return;
    if (!Array.isArray(o[k]) || (o[k] as unknown[]).length === 0 || !(o[k] as unknown[]).every((x) => typeof x === 'string')) fail(`"${k}" must be a non-empty list of strings`);
  };
  strings('problems', true);
  strings('schedules', false);
  if (!Array.isArray(o.seeds) || o.seeds.length === 0 || !o.seeds.every(Number.isInteger)) fail('"seeds" must be a non-empty list of integers');
  for (const k of ['num_epochs', 'batch_size', 'train_log_interval'])
    if (o[k] !== undefined && !(Number.isInteger(o[k]) && (o[k] as number) > 0)) fail(`"${k}" must be a positive integer`);
  if (o.weight_decay !== undefined && typeof o.weight_decay !== 'number') fail('"weight_decay" must be a number');
  if (!Array.isArray(o.optimizers) || o.optimizers.length === 0) fail('"optimizers" must be a non-empty list');
  (o.optimizers as unknown[]).forEach((opt, i) => {
    const p = opt as Record<string, unknown>;
    if (typeof p?.name !== 'string') fail(`optimizers[${i}].name must be a string`);
    if (p.settings === undefined && p.grid === undefined) fail(`optimizers[${i}] needs "settings" (a list of hyperparameter objects) or "grid"`);
    if (p.settings !== undefined && !Array.isArray(p.settings)) fail(`optimizers[${i}].settings must be a list`);
    const grid = p.grid as Record<string, unknown> | undefined;
    if (grid !== undefined && Object.values(grid).some((v) => !Array.isArray(v) || !v.every((x) => typeof x === 'number')))
      fail(`optimizers[${i}].grid must map each hyperparameter to a list of numbers`);
  });
  return o as unknown as SweepFile;
}

export function expandSweep(s: SweepFile): SweepRun[] {
  const runs: SweepRun[] = [];
  const schedules = s.schedules ?? [undefined];
  for (const schedule of schedules)
    for (const problem of s.problems)
      for (const opt of s.optimizers) {
        const settings = [...(opt.settings ?? []), ...(opt.grid ? gridSettings(opt.grid) : [])];
        for (const hyperparameters of settings)
          for (const seed of s.seeds)
            runs.push({
              problem,
              optimizer: opt.name,
              hyperparameters,
              seed,
              outputDir: schedule === undefined ? s.output_dir : join(s.output_dir, schedule),
              ...(schedule !== undefined ? { lrSchedule: schedule } : {}),
              ...(s.num_epochs !== undefined ? { numEpochs: s.num_epochs } : {}),
              ...(s.batch_size !== undefined ? { batchSize: s.batch_size } : {}),
              ...(s.train_log_interval !== undefined ? { trainLogInterval: s.train_log_interval } : {}),
              ...(s.weight_decay !== undefined ? { weightDecay: s.weight_decay } : {}),
            });
      }
  return runs;
}

/**
 * The arguments of `deepobs run` for a run (DeepOBS 1.2's command line: one --<hp> per hyperparameter).
 * Booleans are written as `--<hp> true|false`.
 */
export function runArgs(r: SweepRun): string[] {
  const args = ['run', r.problem, '--optimizer', r.optimizer];
  for (const k of Object.keys(r.hyperparameters).sort()) args.push(`--${k}`, String(r.hyperparameters[k]));
  args.push('--random_seed', String(r.seed));
  if (r.numEpochs !== undefined) args.push('--num_epochs', String(r.numEpochs));
  if (r.batchSize !== undefined) args.push('--batch_size', String(r.batchSize));
  if (r.lrSchedule !== undefined) args.push('--lr_schedule', r.lrSchedule);
  if (r.trainLogInterval !== undefined) args.push('--train_log_interval', String(r.trainLogInterval));
  if (r.weightDecay !== undefined) args.push('--weight_decay', String(r.weightDecay));
  args.push('--output_dir', r.outputDir);
  return args;
}

/** POSIX shell quoting, for printing commands an external scheduler runs. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Parses command-line "name=value" hyperparameters: numbers, or true/false. */
export function parseAssignments(items: readonly string[]): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const item of items) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(item);
    const v = m?.[2];
    if (!m || v === undefined) throw new Error(`expected name=value, got "${item}"`);
    if (v === 'true' || v === 'false') out[m[1]] = v === 'true';
    else if (Number.isFinite(Number(v))) out[m[1]] = Number(v);
    else throw new Error(`"${item}": the value must be a number, true or false`);
  }
  return out;
}
