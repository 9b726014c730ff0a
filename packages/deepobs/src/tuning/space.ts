// Search spaces: each tuned hyperparameter is a map from the unit interval, so random search samples u ~ U[0,1]
// and the Gaussian process works on the unit cube whatever the scaling.
import type { Rng } from '@flightdeck/core';
import { getOptimizer } from '../optimizers/index.js';

export type Setting = Record<string, number>;

export interface Dimension {
  name: string;
  /** `one-minus-log-uniform`: 1 − x with x log-uniform in [low, high] (momentum-like values close to 1). */
  scale: 'uniform' | 'log-uniform' | 'one-minus-log-uniform' | 'int';
  low: number;
  high: number;
}

export type SearchSpace = Dimension[];

/** The value of dimension `d` at u ∈ [0, 1]. */
export function fromUnit(d: Dimension, u: number): number {
  const t = Math.min(1, Math.max(0, u));
  switch (d.scale) {
    case 'uniform':
      return d.low + t * (d.high - d.low);
    case 'log-uniform':
      return Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low)));
    case 'one-minus-log-uniform':
      return 1 - Math.exp(Math.log(d.low) + t * (Math.log(d.high) - Math.log(d.low)));
    case 'int':
      return Math.min(d.high, Math.max(d.low, Math.floor(d.low + t * (d.high - d.low + 1))));
  }
}

/** The inverse of fromUnit (for int: the middle of the value's cell). */
export function toUnit(d: Dimension, x: number): number {
  switch (d.scale) {
    case 'uniform':
      return (x - d.low) / (d.high - d.low);
    case 'log-uniform':
      return (Math.log(x) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
    case 'one-minus-log-uniform':
      return (Math.log(1 - x) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
    case 'int':
      return (x - d.low + 0.5) / (d.high - d.low + 1);
  }
}

export function settingFromUnit(space: SearchSpace, u: number[]): Setting {
  return Object.fromEntries(space.map((d, i) => [d.name, fromUnit(d, u[i])]));
}

export function settingToUnit(space: SearchSpace, s: Setting): number[] {
  return space.map((d) => toUnit(d, s[d.name]));
}

export function sampleSetting(space: SearchSpace, rng: Rng): Setting {
  return settingFromUnit(
    space,
    space.map(() => rng.next()),
  );
}

/** The Crowded Valley tuning space of a registered optimizer: every hyperparameter that has a `tuning` entry. */
export function crowdedValleySpace(optimizer: string): SearchSpace {
  return getOptimizer(optimizer).hyperparameters.flatMap((h): Dimension[] =>
    h.tuning ? [{ name: h.name, scale: h.type === 'int' ? 'int' : h.tuning.distribution, low: h.tuning.low, high: h.tuning.high }] : [],
  );
}

/** DeepOBS's baseline learning-rate grid: 10^(−5 + 0.2k), k = 0..35 (1e-5 … 10^2). */
export const DEEPOBS_LR_GRID: readonly number[] = Array.from({ length: 36 }, (_, k) => 10 ** (-5 + 0.2 * k));

/** Log-spaced grid of n points from lo to hi inclusive. */
export function logGrid(lo: number, hi: number, n: number): number[] {
  if (n < 2) return [lo];
  return Array.from({ length: n }, (_, k) => Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * k) / (n - 1)));
}

/** The Cartesian product of the grid's values, in the grid's key order (last key fastest). */
export function gridSettings(grid: Record<string, readonly number[]>): Setting[] {
  let out: Setting[] = [{}];
  for (const [name, values] of Object.entries(grid)) {
    if (values.length === 0) throw new Error(`grid: "${name}" has no values`);
    out = out.flatMap((s) => values.map((v) => ({ ...s, [name]: v })));
  }
  return out;
}

/** Parses "name:scale:low:high" (scale uniform | log-uniform | one-minus-log-uniform | int) as the CLI takes it. */
export function parseDimension(text: string): Dimension {
  const [name, scale, low, high] = text.split(':');
  const scales = ['uniform', 'log-uniform', 'one-minus-log-uniform', 'int'];
  if (!name || !scales.includes(scale) || !Number.isFinite(Number(low)) || !Number.isFinite(Number(high)) || Number(low) >= Number(high))
    throw new Error(`bad search dimension "${text}": expected name:scale:low:high with scale one of ${scales.join(', ')} and low < high`);
  return { name, scale: scale as Dimension['scale'], low: Number(low), high: Number(high) };
}
