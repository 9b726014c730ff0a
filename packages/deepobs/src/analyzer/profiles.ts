// AlgoPerf-style performance profiles over problems (reference §6), with DeepOBS's time-to-convergence-threshold
// as the time: epochs until the test metric reaches the problem's convergence performance.
import type { Analysis } from './collect.js';

export interface PerformanceProfiles {
  problems: string[];
  optimizers: string[];
  /** ratios[optimizer][i] = t / best t on problems[i]; Infinity when missed or beyond rMax. */
  ratios: Record<string, number[]>;
  taus: number[];
  /** rho[optimizer][j] = fraction of problems with ratio ≤ taus[j]. */
  rho: Record<string, number[]>;
  /** Benchmark score B = ∫₁^rMax ρ(τ) dτ / (rMax − 1) ∈ [0, 1], integrated exactly (ρ is a step function). */
  score: Record<string, number>;
  rMax: number;
}

/**
 * Profiles from times[optimizer][problem] (Infinity = target never reached, a missing entry counts as Infinity).
 * A problem solved at time 0 by some optimizer gives the others an infinite ratio (and itself ratio 1).
 */
export function performanceProfiles(times: Record<string, Record<string, number>>, rMax = 4, tauPoints = 301): PerformanceProfiles {
  const optimizers = Object.keys(times).sort();
  const problems = [...new Set(optimizers.flatMap((o) => Object.keys(times[o])))].sort();
  const ratios: Record<string, number[]> = {};
  for (const o of optimizers) ratios[o] = [];
  for (const p of problems) {
    const best = Math.min(...optimizers.map((o) => times[o][p] ?? Infinity));
    for (const o of optimizers) {
      const t = times[o][p] ?? Infinity;
      const r = !Number.isFinite(t) ? Infinity : t === best ? 1 : t / best;
      ratios[o].push(r > rMax ? Infinity : r);
    }
  }
  const taus = Array.from({ length: tauPoints }, (_, j) => 1 + ((rMax - 1) * j) / (tauPoints - 1));
  const rho: Record<string, number[]> = {};
  const score: Record<string, number> = {};
  for (const o of optimizers) {
    const rs = ratios[o];
    rho[o] = taus.map((tau) => rs.filter((r) => r <= tau).length / Math.max(1, rs.length));
    score[o] = rs.reduce((s, r) => s + Math.max(0, rMax - r), 0) / (Math.max(1, rs.length) * (rMax - 1));
  }
  return { problems, optimizers, ratios, taus, rho, score, rMax };
}

/** Time to target per optimizer and problem: the median over the chosen setting's seeds of the speed index. */
export function timesToTarget(a: Analysis): Record<string, Record<string, number>> {
  const times: Record<string, Record<string, number>> = {};
  for (const p of a.problems)
    for (const o of p.optimizers) {
      const speeds = o.chosen.seeds.map((s) => s.speed);
      if (speeds.some((s) => s === undefined)) continue;
      const t = medianTime(speeds.map((s) => ((s as number) > p.numEpochs ? Infinity : (s as number))));
      (times[o.optimizer] ??= {})[p.key] = t;
    }
  return times;
}

/** Median that stays Infinity when the middle is a miss (interpolating between two misses would give NaN). */
function medianTime(ts: number[]): number {
  const s = [...ts].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
