// HessMaxEV: the largest eigenvalue of the Hessian of the mini-batch loss, from Hessian-vector products only.
import * as tf from '@tensorflow/tfjs';
import type { JsonValue, Quantity as QuantityRecord, Rng } from '@flightdeck/core';
import type { TrackSchedule } from '../schedules/index.js';
import { CockpitQuantity, type StepData } from './quantity.js';
import { download, scalarRecord } from './records.js';
import { symmetricEigen } from './symmetric-eigen.js';

export interface HessMaxEVOptions {
  /**
   * true (the original's default): power iteration, which finds the eigenvalue of largest magnitude. false:
   * Lanczos with full reorthogonalisation, the largest algebraic eigenvalue (the original's eigsh(which="LA")).
   */
  usePower?: boolean;
  maxIterations?: number;
  /** Power iteration stops when |λ_old − λ| ≤ atol + rtol·|λ| (torch.allclose). */
  rtol?: number;
  atol?: number;
  /** Lanczos stops when the Ritz residual is ≤ tol·|λ|. */
  tol?: number;
}

export class HessMaxEV extends CockpitQuantity {
  readonly name = 'HessMaxEV';
  readonly usePower: boolean;
  private readonly maxIterations: number;
  private readonly rtol: number;
  private readonly atol: number;
  private readonly tol: number;

  constructor(schedule: TrackSchedule, { usePower = true, maxIterations = 100, rtol = 1e-3, atol = 1e-6, tol = 1e-6 }: HessMaxEVOptions = {}) {
    super(schedule);
    this.usePower = usePower;
    this.maxIterations = maxIterations;
    this.rtol = rtol;
    this.atol = atol;
    this.tol = tol;
  }

  async track(data: StepData): Promise<QuantityRecord[]> {
    const rng = data.rng(this.name);
    const value = this.usePower ? await this.power(data, rng) : await this.lanczos(data, rng);
    return [scalarRecord(this.name, value)];
  }

  override options(): Record<string, JsonValue> {
    return { use_power: this.usePower };
  }

  /** Power iteration from a strictly positive uniform start, exactly the original's stopping rule. */
  private async power(data: StepData, rng: Rng): Promise<number> {
    let v = normalise(data.theta.map((t) => tf.tensor(Float32Array.from({ length: t.size }, () => rng.next()), t.shape)));
    let previous = Infinity;
    try {
      for (let i = 0; i < this.maxIterations; i++) {
        const w = data.hvp(v);
        const [lambda, wNormSquared] = await download(tf.tidy(() => tf.stack([dot(v, w), dot(w, w)])));
        v.forEach((t) => t.dispose());
        v = tf.tidy(() => w.map((t) => tf.div(t, Math.sqrt(wNormSquared))));
        w.forEach((t) => t.dispose());
        if (Math.abs(previous - lambda) <= this.atol + this.rtol * Math.abs(lambda)) return lambda;
        previous = lambda;
      }
    } finally {
      v.forEach((t) => t.dispose());
    }
    data.warn(`HessMaxEV at step ${data.step}: power iteration did not converge in ${this.maxIterations} iterations; returning the last estimate`);
    return previous;
  }

  /** Lanczos on the flattened parameter vector; the basis stays on the device. */
  private async lanczos(data: StepData, rng: Rng): Promise<number> {
    const shapes = data.theta.map((t) => t.shape);
    const sizes = data.theta.map((t) => t.size);
    const dimension = sizes.reduce((a, b) => a + b, 0);
    const hvpFlat = (q: tf.Tensor1D): tf.Tensor1D => {
      const parts = tf.tidy(() => tf.split(q, sizes).map((part, p) => tf.reshape(part, shapes[p])));
      const product = data.hvp(parts);
      parts.forEach((t) => t.dispose());
      const flat = tf.tidy(() => tf.concat(product.map((t) => tf.reshape(t, [-1]))) as tf.Tensor1D);
      product.forEach((t) => t.dispose());
      return flat;
    };
    const start = tf.tensor1d(Float32Array.from({ length: dimension }, () => rng.normal()));
    const basis: tf.Tensor1D[] = [tf.tidy(() => tf.div(start, tf.norm(start)))];
    start.dispose();
    const alphas: number[] = [];
    const betas: number[] = [];
    const steps = Math.min(this.maxIterations, dimension);
    try {
      for (let j = 0; ; j++) {
        const q = basis[j];
        const w = hvpFlat(q);
        const [alpha] = await download(tf.dot(q, w));
        // Full reorthogonalisation (twice) against the whole basis keeps the Ritz values honest in float32.
        const residual = tf.tidy(() => {
          const qs = tf.stack(basis) as tf.Tensor2D;
          let r: tf.Tensor1D = w;
          for (let pass = 0; pass < 2; pass++) r = tf.sub(r, tf.matMul(tf.matMul(r.reshape([1, -1]), qs, false, true), qs).reshape([-1]));
          return r;
        });
        w.dispose();
        const [beta] = await download(tf.norm(residual));
        alphas.push(alpha);
        const ritz = largestRitz(alphas, betas);
        const converged = beta * Math.abs(ritz.lastComponent) <= this.tol * Math.abs(ritz.value) || beta === 0 || j === dimension - 1;
        if (converged || j === steps - 1) {
          residual.dispose();
          if (!converged) data.warn(`HessMaxEV at step ${data.step}: Lanczos did not converge in ${steps} iterations; returning the last estimate`);
          return ritz.value;
        }
        betas.push(beta);
        basis.push(tf.tidy(() => tf.div(residual, beta)));
        residual.dispose();
      }
    } finally {
      basis.forEach((t) => t.dispose());
    }
  }
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

/** Largest eigenvalue of the Lanczos tridiagonal matrix and the last entry of its eigenvector (for the residual). */
function largestRitz(alphas: readonly number[], betas: readonly number[]): { value: number; lastComponent: number } {
  const k = alphas.length;
  const t = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? alphas[i] : Math.abs(i - j) === 1 ? betas[Math.min(i, j)] : 0)));
  const { values, vectors } = symmetricEigen(t);
  return { value: values[k - 1], lastComponent: vectors[k - 1][k - 1] };
}
