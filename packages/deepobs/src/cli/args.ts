// Parsing of command-line values with errors that name the flag.
import { InvalidArgumentError } from 'commander';

export function integer(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${flag} must be an integer, got "${value}"`);
    return n;
  };
}

export function positiveInteger(flag: string) {
  const parse = integer(flag);
  return (value: string): number => {
    const n = parse(value);
    if (n < 1) throw new InvalidArgumentError(`${flag} must be at least 1, got ${n}`);
    return n;
  };
}

export function finiteNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number, got "${value}"`);
    return n;
  };
}

/** Variadic list values (commander passes them one by one). */
export function listOf<T>(parse: (v: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/**
 * DeepOBS's own flag names (`--num_epochs`, `-N`, `--bs`, `--random_seed`, `-r`, `--output_dir`, `--data_dir`,
 * `--weight_decay`, `--wd`, `--train_log_interval`, `--lr_schedule`, `--lr_sched_epochs`, `--lr_sched_factors`)
 * are accepted as aliases of ours, so DeepOBS command lines and sweep files run unchanged.
 */
const DEEPOBS_ALIASES: Record<string, string> = {
  '--num_epochs': '--epochs',
  '-N': '--epochs',
  '--batch_size': '--batch-size',
  '--bs': '--batch-size',
  '--random_seed': '--seed',
  '-r': '--seed',
  '--output_dir': '--output-dir',
  '--data_dir': '--data-dir',
  '--weight_decay': '--weight-decay',
  '--wd': '--weight-decay',
  '--train_log_interval': '--train-log-interval',
  '--lr_schedule': '--lr-schedule',
  '--lr_sched_epochs': '--lr-sched-epochs',
  '--lr_sched_factors': '--lr-sched-factors',
};

export function normalizeDeepobsFlags(argv: readonly string[]): string[] {
  return argv.map((a) => {
    const [flag, ...value] = a.split('=');
    const mapped = DEEPOBS_ALIASES[flag];
    return mapped ? [mapped, ...value].join('=') : a;
  });
}
