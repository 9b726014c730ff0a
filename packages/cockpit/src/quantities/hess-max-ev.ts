// HessMaxEV: the largest eigenvalue of the Hessian of the mini-batch loss, from Hessian-vector products only.
import * as tf from '@tensorflow/tfjs';
import type { JsonValue, Quantity as QuantityRecord, Rng } from '@flightdeck/core';
import type { TrackSchedule } from '../schedules/index.js';
import { CockpitQuantity, type StepData } from './quantity.js';
import { download, scalarRecord } from './records.js';
import { lanczos } from './lanczos.js';

/**
 * 'lanczos' (the default here): the eigenvalue of largest magnitude, the one the original's power iteration finds,
 * as the extreme Ritz value of Lanczos from the power iteration's start, with the power iteration's stopping rule
 * (successive estimates within atol + rtol·|λ|). After k HVPs Lanczos has seen the same Krylov space as k power
 * steps and its extreme Ritz values are at least as close, so it stops after far fewer HVPs for the same answer;
 * by default later tracked steps start from the last eigenvector estimate (warmStart), fewer still.
 * 'power': the original's default (use_power=True), exactly. 'eigsh': the original's use_power=False, the largest
 * algebraic eigenvalue (scipy eigsh(which="LA")), to a Ritz residual ≤ tol·|λ|.
 */
export const HESS_MAX_EV_METHODS = ['lanczos', 'power', 'eigsh'] as const;
export type HessMaxEVMethod = (typeof HESS_MAX_EV_METHODS)[number];

export interface HessMaxEVOptions {
  method?: HessMaxEVMethod;
  /** The original's flag: true is method 'power', false is 'eigsh'. Give either this or `method`. */
  usePower?: boolean;
  maxIterations?: number;
  /** 'power' and 'lanczos' stop when |λ_old − λ| ≤ atol + rtol·|λ| (torch.allclose). */
  rtol?: number;
  atol?: number;
  /** 'eigsh' stops when the Ritz residual is ≤ tol·|λ|; so does 'lanczos' if that comes first. */
  tol?: number;
  /**
   * 'lanczos' only (default true): start from the previous tracked step's eigenvector estimate rather than the
   * random positive vector, once there is one. The estimate then depends on the steps tracked before (still
   * reproducible for the same run); false makes every tracked step independent, as in the original.
   */
  warmStart?: boolean;
}

export class HessMaxEV extends CockpitQuantity {
  readonly name = 'HessMaxEV';
  readonly method: HessMaxEVMethod;
  private readonly maxIterations: number;
  private readonly rtol: number;
  private readonly atol: number;
  private readonly tol: number;
  readonly warmStart: boolean;
  /** The last tracked step's eigenvector estimate, for warmStart (host memory). */
  private previousVector: Float32Array | null = null;

  constructor(
    schedule: TrackSchedule,
    { method, usePower, maxIterations = 100, rtol = 1e-3, atol = 1e-6, tol = 1e-6, warmStart }: HessMaxEVOptions = {},
  ) {
    super(schedule);
    if (method !== undefined && usePower !== undefined) throw new Error('HessMaxEV: give either method or usePower, not both');
    if (method !== undefined && !(HESS_MAX_EV_METHODS as readonly string[]).includes(method)) {
      throw new Error(`HessMaxEV: unknown method "${method}"; expected one of ${HESS_MAX_EV_METHODS.join(', ')}`);
    }
    this.method = method ?? (usePower === undefined ? 'lanczos' : usePower ? 'power' : 'eigsh');
    this.maxIterations = maxIterations;
    this.rtol = rtol;
    this.atol = atol;
    this.tol = tol;
    if (warmStart && this.method !== 'lanczos') throw new Error(`HessMaxEV: warmStart needs method 'lanczos', not '${this.method}'`);
    this.warmStart = warmStart ?? this.method === 'lanczos';
  }

  async track(data: StepData): Promise<QuantityRecord[]> {
    const rng = data.rng(this.name);
    const value = this.method === 'power' ? await this.power(data, rng) : await this.lanczos(data, rng);
    return [scalarRecord(this.name, value)];
  }

  override options(): Record<string, JsonValue> {
    return { use_power: this.method === 'power', method: this.method, warm_start: this.warmStart };
  }

  /** Power iteration from a strictly positive uniform start, exactly the original's stopping rule. */
  private async power(data: StepData, rng: Rng): Promise<number> {
    let v = normalise(unflatten(positiveStart(data.theta.reduce((d, t) => d + t.size, 0), rng), data.theta));
    let previous = Infinity;
    try {
      for (let i = 0; i < this.maxIterations; i++) {
        const w = data.hvp(v);
        const [lambda, wNormSquared] = await download(tf.tidy(() => tf.stack([dot(v, w), dot(w, w)])));
        v.forEach((t) => t.dispose());
        v = tf.tidy(() => w.map((t) => tf.div(t, Math.sqrt(wNormSquared))));
        w.forEach((t) => t.dispose());
        if (this.closeEnough(lambda, previous)) return lambda;
        previous = lambda;
      }
    } finally {
      v.forEach((t) => t.dispose());
    }
    data.warn(`HessMaxEV at step ${data.step}: power iteration did not converge in ${this.maxIterations} iterations; returning the last estimate`);
    return previous;
  }

  private closeEnough(lambda: number, previous: number): boolean {
    return Math.abs(previous - lambda) <= this.atol + this.rtol * Math.abs(lambda);
  }

  /**
   * 'lanczos' from the power iteration's start (or the last eigenvector), 'eigsh' from a normal start; vectors
   * flattened on the host.
   */
  private async lanczos(data: StepData, rng: Rng): Promise<number> {
    const eigsh = this.method === 'eigsh';
    const dimension = data.theta.reduce((d, t) => d + t.size, 0);
    const warm = this.warmStart && this.previousVector?.length === dimension;
    const start = warm ? this.previousVector! : eigsh ? Float32Array.from({ length: dimension }, () => rng.normal()) : positiveStart(dimension, rng);
    const apply = async (q: Float32Array): Promise<Float32Array> => {
      const v = unflatten(q, data.theta);
      const product = data.hvp(v);
      tf.dispose(v);
      try {
        return await flatten(product, dimension);
      } finally {
        tf.dispose(product);
      }
    };
    const result = await lanczos(apply, start, {
      target: eigsh ? 'algebraic' : 'magnitude',
      maxIterations: this.maxIterations,
      converged: ({ value, previous, residual }) => residual <= this.tol * Math.abs(value) || (!eigsh && this.closeEnough(value, previous)),
      withVector: this.warmStart,
    });
    this.previousVector = result.vector ?? null;
    if (!result.converged) {
      data.warn(`HessMaxEV at step ${data.step}: Lanczos did not converge in ${result.iterations} iterations; returning the last estimate`);
    }
    return result.value;
  }
}

/** The original's start: uniform on [0, 1) per entry, parameter after parameter. */
function positiveStart(dimension: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: dimension }, () => rng.next());
}

/** Per-parameter tensors of the shapes of `like`, from one flat vector (views, no copy before the upload). */
function unflatten(flat: Float32Array, like: readonly tf.Tensor[]): tf.Tensor[] {
  let offset = 0;
  return like.map((t) => tf.tensor(flat.subarray(offset, (offset += t.size)), t.shape));
}

async function flatten(parts: readonly tf.Tensor[], dimension: number): Promise<Float32Array> {
  const flat = new Float32Array(dimension);
  let offset = 0;
  for (const part of parts) {
    flat.set((await part.data()) as Float32Array, offset);
    offset += part.size;
  }
  return flat;
}

function dot(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  return tf.addN(a.map((t, p) => tf.sum(tf.mul(t, b[p])))) as tf.Scalar;
}

function normalise(v: tf.Tensor[]): tf.Tensor[] {
  const out = tf.tidy(() => {
    const norm = tf.sqrt(dot(v, v));
    return v.map((t) => tf.div(t, norm));
  });
  v.forEach((t) => t.dispose());
  return out;
}
