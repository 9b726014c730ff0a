// A small Gaussian process for Bayesian optimisation on the unit cube: RBF or Matérn-5/2 kernel, Cholesky solves,
// lengthscale by marginal likelihood over a grid, and the UCB and EI acquisitions (for maximisation).

export type KernelName = 'rbf' | 'matern52';

export interface Kernel {
  name: KernelName;
  lengthscale: number;
  variance: number;
}

export function kernelValue(k: Kernel, a: readonly number[], b: readonly number[]): number {
  let r2 = 0;
  for (let i = 0; i < a.length; i++) r2 += (a[i] - b[i]) ** 2;
  const r = Math.sqrt(r2) / k.lengthscale;
  if (k.name === 'rbf') return k.variance * Math.exp(-0.5 * r * r);
  const s = Math.sqrt(5) * r;
  return k.variance * (1 + s + (s * s) / 3) * Math.exp(-s);
}

/** Lower-triangular L with A = L Lᵀ (row-major n×n); throws when A is not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`cholesky: matrix not positive definite (pivot ${i} = ${s})`);
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  return l;
}

/** Solves L x = b (forward substitution). */
export function solveLower(l: Float64Array, n: number, b: readonly number[]): number[] {
  const x = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Solves Lᵀ x = b (back substitution). */
export function solveUpper(l: Float64Array, n: number, b: readonly number[]): number[] {
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

export interface Posterior {
  mean: number;
  variance: number;
}

/** GP regression with a fixed kernel and Gaussian observation noise. */
export class GaussianProcess {
  private readonly l: Float64Array;
  private readonly alpha: number[];
  readonly logMarginalLikelihood: number;

  constructor(
    readonly kernel: Kernel,
    private readonly x: number[][],
    readonly y: number[],
    readonly noise = 1e-6,
  ) {
    const n = x.length;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] = kernelValue(kernel, x[i], x[j]) + (i === j ? noise : 0);
    this.l = cholesky(k, n);
    this.alpha = solveUpper(this.l, n, solveLower(this.l, n, y));
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += Math.log(this.l[i * n + i]);
    this.logMarginalLikelihood = -0.5 * y.reduce((s, yi, i) => s + yi * this.alpha[i], 0) - logDet - (n / 2) * Math.log(2 * Math.PI);
  }

  predict(xs: readonly number[]): Posterior {
    const n = this.x.length;
    const ks = this.x.map((xi) => kernelValue(this.kernel, xi, xs));
    const mean = ks.reduce((s, k, i) => s + k * this.alpha[i], 0);
    const v = solveLower(this.l, n, ks);
    const variance = kernelValue(this.kernel, xs, xs) - v.reduce((s, vi) => s + vi * vi, 0);
    return { mean, variance: Math.max(variance, 0) };
  }
}

const LENGTHSCALES = [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2];

/**
 * Fits a GP to standardised observations, choosing the lengthscale with the highest marginal likelihood.
 * Returns the GP and the standardisation, so callers can compare predictions with observed values.
 */
export function fitGp(kernel: KernelName, x: number[][], y: number[], noise = 1e-4): { gp: GaussianProcess; center: number; scale: number } {
  const center = y.reduce((a, b) => a + b, 0) / y.length;
  const scale = Math.sqrt(y.reduce((a, b) => a + (b - center) ** 2, 0) / y.length) || 1;
  const ys = y.map((v) => (v - center) / scale);
  let best: GaussianProcess | undefined;
  for (const lengthscale of LENGTHSCALES) {
    const gp = new GaussianProcess({ name: kernel, lengthscale, variance: 1 }, x, ys, noise);
    if (!best || gp.logMarginalLikelihood > best.logMarginalLikelihood) best = gp;
  }
  return { gp: best as GaussianProcess, center, scale };
}

/** erfc with fractional error below 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);
export const normalPdf = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** Upper confidence bound μ + κσ (bayes_opt's default κ = 2.576). */
export function ucb(p: Posterior, kappa = 2.576): number {
  return p.mean + kappa * Math.sqrt(p.variance);
}

/** Expected improvement over `best` by more than ξ: (μ − best − ξ)Φ(z) + σφ(z), z = (μ − best − ξ)/σ. */
export function expectedImprovement(p: Posterior, best: number, xi = 0.01): number {
  const sigma = Math.sqrt(p.variance);
  const d = p.mean - best - xi;
  if (sigma < 1e-12) return Math.max(d, 0);
  const z = d / sigma;
  return d * normalCdf(z) + sigma * normalPdf(z);
}
