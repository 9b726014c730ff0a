// The gradient noise tests: critical θ of the norm test (Byrd et al. 2012) and of the inner-product test, critical
// ν of the orthogonality test (Bollapragada et al. 2018). Computed in float64 from the small [N] / [N, N]
// statistics, in the forms that avoid cancellation (sums of squared deviations instead of differences of sums).
import { mean, type Quantity as QuantityRecord } from '@flightdeck/core';
import type { StatsRequest } from '../engine/types.js';
import { CockpitQuantity, type QuantityName, type StepData } from './quantity.js';
import { read, requireStat, scalarRecord, totalSquaredNorm } from './records.js';

/** sqrt( Σ_n ‖g_n − g‖² / ((N−1)·N·‖g‖²) ). */
export class NormTest extends CockpitQuantity {
  readonly name = 'NormTest';
  override request(): StatsRequest {
    return { batchL2: true };
  }
  async track(data: StepData): Promise<QuantityRecord[]> {
    const l2 = await read(requireStat(data, 'batchL2', this.name));
    const g2 = await totalSquaredNorm(data.stats.grads);
    const n = l2.length;
    const v = (l2.reduce((a, b) => a + b, 0) - n * g2) / (n - 1);
    return [scalarRecord(this.name, Math.sqrt(v / n / g2))];
  }
}

/** p_n = g_n·g (the engine's meanProjections) and ‖g‖² = mean_n p_n. */
async function projections(data: StepData, quantity: QuantityName): Promise<{ p: number[]; g2: number }> {
  const p = await read(requireStat(data, 'meanProjections', quantity));
  return { p, g2: mean(p) };
}

/** sqrt( var_s(p) / (N·‖g‖⁴) ) with p_n = g_n·g. */
export class InnerTest extends CockpitQuantity {
  readonly name = 'InnerTest';
  override request(): StatsRequest {
    return { meanProjections: true };
  }
  async track(data: StepData): Promise<QuantityRecord[]> {
    const { p, g2 } = await projections(data, this.name);
    const n = p.length;
    const v = p.reduce((a, pn) => a + (pn - g2) ** 2, 0) / (n - 1);
    return [scalarRecord(this.name, Math.sqrt(v / n / g2 ** 2))];
  }
}

/** sqrt( Σ_n ‖r_n‖² / ((N−1)·N·‖g‖²) ), r_n = g_n − (g_n·g/‖g‖²)·g. */
export class OrthoTest extends CockpitQuantity {
  readonly name = 'OrthoTest';
  override request(): StatsRequest {
    return { batchL2: true, meanProjections: true };
  }
  async track(data: StepData): Promise<QuantityRecord[]> {
    const diag = await read(requireStat(data, 'batchL2', this.name));
    const { p, g2 } = await projections(data, this.name);
    const n = p.length;
    const v = diag.reduce((a, d, i) => a + d - p[i] ** 2 / g2, 0) / (n - 1);
    return [scalarRecord(this.name, Math.sqrt(v / n / g2))];
  }
}

