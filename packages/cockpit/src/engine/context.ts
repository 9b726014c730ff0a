import * as tf from '@tensorflow/tfjs';
import { Rng } from '@flightdeck/core';
import type { ForwardContext, Step } from './model/step.js';

/**
 * One engine call's randomness: dropout masks drawn once (seeded) and reused by every pass of the call, so that
 * all statistics of a step see the same masks; the same seed gives the same masks in another call.
 */
export class CallContext implements ForwardContext {
  private readonly masks = new Map<Step, tf.Tensor>();
  private readonly maskRng: Rng;

  constructor(readonly seed: number) {
    this.maskRng = new Rng(seed).fork('dropout');
  }

  /** Randomness for Monte-Carlo curvature, independent of the masks. */
  samplingRng(): Rng {
    return new Rng(this.seed).fork('mc-ggn');
  }

  dropoutMask(step: Step, shape: number[], rate: number): tf.Tensor {
    let mask = this.masks.get(step);
    if (!mask) {
      const keep = 1 / (1 - rate);
      const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (this.maskRng.next() >= rate ? keep : 0));
      mask = tf.keep(tf.tensor(values, shape));
      this.masks.set(step, mask);
    }
    if (mask.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`dropout layer "${step.layerName}": mask drawn for [${mask.shape}], asked for [${shape}]`);
    }
    return mask;
  }

  /** The same masks, restricted to example n (for the per-example loops). */
  forExample(n: number): ForwardContext {
    return {
      dropoutMask: (step) => {
        const full = this.masks.get(step);
        if (!full) throw new Error(`dropout layer "${step.layerName}": no batch mask drawn before the per-example pass`);
        return tf.slice(full, n, 1);
      },
    };
  }

  dispose(): void {
    tf.dispose([...this.masks.values()]);
    this.masks.clear();
  }
}
