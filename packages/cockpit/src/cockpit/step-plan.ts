// One step of the instruments, independent of where the statistics come from: which quantities run, the one
// engine request that serves them all, and tracking them in order.
import type { Quantity as QuantityRecord } from '@flightdeck/core';
import type { StatsRequest } from '../engine/types.js';
import { type CockpitQuantity, sameAxis, sameJointAxes, type StepData, type StepPlan } from '../quantities/index.js';

export interface PlannedStep {
  active: CockpitQuantity[];
  /** The union of the active quantities' requests: each statistic is computed once per pass. */
  request: StatsRequest;
}

export function planStep(quantities: readonly CockpitQuantity[], plan: StepPlan): PlannedStep {
  const active = quantities.filter((q) => q.isActive(plan.step));
  return { active, request: mergeRequests(active.map((q) => [q.name, q.request(plan)] as const), plan.step) };
}

export function mergeRequests(requests: readonly (readonly [string, StatsRequest])[], step: number): StatsRequest {
  const merged: StatsRequest = {};
  let projector: string | undefined;
  for (const [name, r] of requests) {
    for (const key of ['batchL2', 'batchDot', 'meanProjections', 'sumGradSquared', 'individualGradients', 'gradientAbsMax', 'diagHessian', 'diagGGN', 'keepFactors'] as const) {
      if (r[key]) merged[key] = true;
    }
    if (r.projectOn) {
      if (merged.projectOn && merged.projectOn !== r.projectOn) {
        throw new Error(`step ${step}: ${name} and ${projector} both need projections on their own direction; the engine projects on one per pass`);
      }
      merged.projectOn = r.projectOn;
      if (r.projectOnFactors) merged.projectOnFactors = r.projectOnFactors;
      projector = name;
    }
    // One histogram axis per pass; a quantity that wants another bins the materialised gradients itself.
    if (r.gradientHistogram) {
      if (merged.gradientHistogram === undefined) merged.gradientHistogram = r.gradientHistogram;
      else if (!sameAxis(merged.gradientHistogram, r.gradientHistogram)) merged.individualGradients = true;
    }
    if (r.gradientHistogram2d) {
      if (merged.gradientHistogram2d === undefined) merged.gradientHistogram2d = r.gradientHistogram2d;
      else if (!sameJointAxes(merged.gradientHistogram2d, r.gradientHistogram2d)) merged.individualGradients = true;
    }
    // One Monte-Carlo sample per step shared by every quantity, as the original's extension dedup does.
    if (r.diagGGNMC) merged.diagGGNMC = { seed: r.diagGGNMC.seed, samples: Math.max(r.diagGGNMC.samples, merged.diagGGNMC?.samples ?? 0) };
  }
  return merged;
}

/**
 * Tracks the active quantities in order; HessMaxEV after the others, as the original does (after the other buffers
 * are freed), and GradHist1d, whose counts may still be coming from the counting thread, after all.
 */
export async function trackStep(active: readonly CockpitQuantity[], data: StepData): Promise<QuantityRecord[]> {
  const rank = (q: CockpitQuantity) => (q.name === 'GradHist1d' ? 2 : q.name === 'HessMaxEV' ? 1 : 0);
  const ordered = [0, 1, 2].flatMap((r) => active.filter((q) => rank(q) === r));
  const records: QuantityRecord[] = [];
  for (const q of ordered) records.push(...(await q.track(data)));
  return records;
}
