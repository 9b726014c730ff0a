// Bin adaptation for the gradient histograms (the original's bin_adaptation.py): after a histogram is taken, move
// its range to ±(1 + padding)·max(min_size/2, m), where m is the largest |value| seen at that step. The new range
// applies from the next histogram on.
import * as tf from '@tensorflow/tfjs';
import type { JsonValue } from '@flightdeck/core';
import type { StatsRequest } from '../engine/types.js';
import type { TrackSchedule } from '../schedules/index.js';
import type { Range } from './bin-counts.js';
import type { QuantityName, StepData } from './quantity.js';
import { downloadScalar, requireStat } from './records.js';

export abstract class BinAdaptation {
  abstract readonly kind: 'GradAbsMax' | 'ParamAbsMax';
  /** What computing m needs from the engine. */
  abstract readonly statsRequest: StatsRequest;

  constructor(
    readonly schedule: TrackSchedule,
    readonly padding = 0,
    readonly minSize = 1e-6,
  ) {}

  /** The largest |value| at this step, as a scalar tensor. */
  protected abstract absMax(data: StepData, quantity: QuantityName): tf.Scalar;

  /** The range for the next histogram of `quantity`. */
  async range(data: StepData, quantity: QuantityName): Promise<Range> {
    const m = await downloadScalar(this.absMax(data, quantity));
    const end = (1 + this.padding) * Math.max(this.minSize / 2, m);
    return [-end, end];
  }

  describe(): JsonValue {
    return [this.kind, this.padding, this.minSize];
  }
}

function absMaxOf(tensors: readonly tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => tf.max(tf.stack(tensors.map((t) => tf.max(tf.abs(t))))) as tf.Scalar);
}

/** m = max over parameters, examples and entries of |g_nj| (from the engine, which need not materialise g). */
export class GradAbsMax extends BinAdaptation {
  readonly kind = 'GradAbsMax';
  readonly statsRequest: StatsRequest = { gradientAbsMax: true };
  protected absMax(data: StepData, quantity: QuantityName): tf.Scalar {
    return tf.clone(requireStat(data, 'gradientAbsMax', quantity));
  }
}

/** m = max |θ_j|. */
export class ParamAbsMax extends BinAdaptation {
  readonly kind = 'ParamAbsMax';
  readonly statsRequest: StatsRequest = {};
  protected absMax(data: StepData): tf.Scalar {
    return absMaxOf(data.theta);
  }
}
