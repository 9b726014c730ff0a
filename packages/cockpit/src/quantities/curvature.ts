// Which diagonal curvature HessTrace and the TIC quantities use, like the original's `curvature` argument.
import type * as tf from '@tensorflow/tfjs';
import type { StatsRequest } from '../engine/types.js';
import type { QuantityName, StepData, StepPlan } from './quantity.js';
import { requireStat } from './records.js';

/** diag_h: exact Hessian diagonal; diag_ggn_exact: exact GGN diagonal; diag_ggn_mc: one-sample Monte-Carlo GGN. */
export const CURVATURES = ['diag_h', 'diag_ggn_exact', 'diag_ggn_mc'] as const;
export type Curvature = (typeof CURVATURES)[number];

export function checkCurvature(curvature: string, quantity: QuantityName): Curvature {
  if (!(CURVATURES as readonly string[]).includes(curvature)) {
    throw new Error(`${quantity}: unknown curvature "${curvature}"; expected one of ${CURVATURES.join(', ')}`);
  }
  return curvature as Curvature;
}

export function curvatureRequest(curvature: Curvature, plan: StepPlan): StatsRequest {
  switch (curvature) {
    case 'diag_h':
      return { diagHessian: true };
    case 'diag_ggn_exact':
      return { diagGGN: true };
    case 'diag_ggn_mc':
      return { diagGGNMC: { samples: 1, seed: plan.mcSeed } };
  }
}

/** The requested diagonal, per parameter. */
export function curvatureDiagonal(curvature: Curvature, data: StepData, quantity: QuantityName): tf.Tensor[] {
  switch (curvature) {
    case 'diag_h':
      return requireStat(data, 'diagHessian', quantity);
    case 'diag_ggn_exact':
      return requireStat(data, 'diagGGN', quantity);
    case 'diag_ggn_mc':
      return requireStat(data, 'diagGGNMC', quantity);
  }
}
