// Lanczos for one extreme eigenvalue of a symmetric operator known only by its products (HVPs). The basis lives
// in host memory and the recurrence runs in float64: on wasm and cpu the tensor ops for it (Slice to split the
// vector per parameter, matMul with transpose flags, Stack) cost a large fraction of an HVP, a JS loop a few ms.
import { symmetricEigen } from './symmetric-eigen.js';

/** Which Ritz value is the estimate: the largest algebraic one, or the one of largest magnitude (power iteration's). */
export type RitzTarget = 'algebraic' | 'magnitude';

/** One Lanczos step's estimate, for the stopping rule. */
export interface RitzEstimate {
  value: number;
  /** The previous step's estimate (+∞ before the second product). */
  previous: number;
  /** ‖A x − θ x‖ of the unit Ritz pair (β_j · |last entry of its eigenvector of T|): some λ is within it of θ. */
  residual: number;
}

export interface LanczosOptions {
  target: RitzTarget;
  maxIterations: number;
  /** True when the estimate is good enough. Lanczos also stops on an invariant subspace (β = 0). */
  converged: (estimate: RitzEstimate) => boolean;
  /** Also return the unit Ritz vector of the estimate. */
  withVector?: boolean;
}

export interface LanczosResult {
  value: number;
  /** Products of the operator made. */
  iterations: number;
  converged: boolean;
  vector?: Float32Array;
}

/**
 * Lanczos with full reorthogonalisation (in float64 against the whole basis, see reorthogonalise) from `start`
 * (any nonzero vector).
 * `apply` returns the operator times a unit vector.
 */
export async function lanczos(apply: (q: Float32Array) => Promise<Float32Array>, start: Float32Array, options: LanczosOptions): Promise<LanczosResult> {
  const dimension = start.length;
  const steps = Math.min(options.maxIterations, dimension);
  const basis: Float32Array[] = [unit(Float64Array.from(start))];
  const alphas: number[] = [];
  const betas: number[] = [];
  let previous = Infinity;
  for (let j = 0; ; j++) {
    const w = Float64Array.from(await apply(basis[j]!));
    const alpha = dot(basis[j]!, w);
    alphas.push(alpha);
    // The three-term recurrence, then one Gram-Schmidt pass against the whole basis for what rounding left. A
    // Gram-Schmidt pass alone (the recurrence's large components included) lost orthogonality about sixfold per
    // step (‖w‖ drops from ‖A q‖ to β): after 20 steps the basis was no longer orthogonal and Ritz values exceeded
    // the largest eigenvalue.
    axpy(-alpha, basis[j]!, w);
    if (j > 0) axpy(-betas[j - 1]!, basis[j - 1]!, w);
    reorthogonalise(basis, w);
    const beta = Math.sqrt(squaredNorm(w));
    const ritz = extremeRitz(alphas, betas, options.target);
    const estimate = { value: ritz.value, previous, residual: beta * Math.abs(ritz.vector[j]!) };
    const converged = beta === 0 || j === dimension - 1 || options.converged(estimate);
    if (converged || j === steps - 1) {
      return { value: ritz.value, iterations: j + 1, converged, vector: options.withVector ? ritzVector(basis, ritz.vector) : undefined };
    }
    previous = ritz.value;
    betas.push(beta);
    basis.push(unit(w));
  }
}

// Monomorphic loops (basis vectors float32, the vector being orthogonalised float64): V8 runs these at memory
// speed, generic ArrayLike versions an order of magnitude slower.
function dot(q: Float32Array, w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < q.length; i++) s += q[i]! * w[i]!;
  return s;
}

function squaredNorm(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! * w[i]!;
  return s;
}

/** Entries of w per block: w's block stays in cache while every basis vector passes over it. */
const BLOCK = 4096;

/** w −= Σ_q (q·w) q over the basis (classical Gram-Schmidt, by blocks of w: each block is read once per pass). */
function reorthogonalise(basis: readonly Float32Array[], w: Float64Array): void {
  const c = new Float64Array(basis.length);
  for (let start = 0; start < w.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, w.length);
    for (let j = 0; j < basis.length; j++) {
      const q = basis[j]!;
      let s = 0;
      for (let i = start; i < end; i++) s += q[i]! * w[i]!;
      c[j]! += s;
    }
  }
  for (let start = 0; start < w.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, w.length);
    for (let j = 0; j < basis.length; j++) {
      const q = basis[j]!;
      const cj = c[j]!;
      for (let i = start; i < end; i++) w[i]! -= cj * q[i]!;
    }
  }
}

/** w += c·q */
function axpy(c: number, q: Float32Array, w: Float64Array): void {
  for (let i = 0; i < w.length; i++) w[i]! += c * q[i]!;
}

function unit(w: Float64Array): Float32Array {
  const scale = 1 / Math.sqrt(squaredNorm(w));
  const q = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = w[i]! * scale;
  return q;
}

/** The requested extreme eigenpair of the Lanczos tridiagonal matrix T (the eigenvector in the Lanczos basis). */
function extremeRitz(alphas: readonly number[], betas: readonly number[], target: RitzTarget): { value: number; vector: number[] } {
  const k = alphas.length;
  const t = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? alphas[i]! : Math.abs(i - j) === 1 ? betas[Math.min(i, j)]! : 0)));
  const { values, vectors } = symmetricEigen(t);
  const top = k - 1;
  const index = target === 'magnitude' && Math.abs(values[0]!) > Math.abs(values[top]!) ? 0 : top;
  return { value: values[index]!, vector: vectors[index]! };
}

/** Σ_i y_i q_i, normalised. */
function ritzVector(basis: readonly Float32Array[], y: readonly number[]): Float32Array {
  const x = new Float64Array(basis[0]!.length);
  basis.forEach((q, i) => axpy(y[i]!, q, x));
  return unit(x);
}
