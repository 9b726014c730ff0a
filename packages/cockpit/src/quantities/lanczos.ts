// Lanczos for one extreme eigenvalue of a symmetric operator known only by its products (HVPs). The basis lives
// in host memory: on wasm and cpu the tensor ops for it (Slice to split the vector per parameter, matMul with
// transpose flags, Stack) cost a large fraction of an HVP, JS loops a few ms.
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
 * Lanczos with full reorthogonalisation from `start` (any nonzero vector). `apply` returns the operator times a unit
 * vector as a new array, which becomes the next basis vector in place. Vectors are float32 (the basis is stored so
 * anyway), sums float64: on the 1.3 M parameters of the MNIST MLP the vector work is bound by memory traffic, and
 * float64 work vectors and one pass per operation made it most of an HVP's cost again.
 */
export async function lanczos(apply: (q: Float32Array) => Promise<Float32Array>, start: Float32Array, options: LanczosOptions): Promise<LanczosResult> {
  const dimension = start.length;
  const steps = Math.min(options.maxIterations, dimension);
  const first = Float32Array.from(start);
  const basis: Float32Array[] = [scale(first, 1 / Math.sqrt(squaredNorm(first)))];
  const alphas: number[] = [];
  const betas: number[] = [];
  let previous = Infinity;
  for (let j = 0; ; j++) {
    const w = await apply(basis[j]!);
    const alpha = dot(basis[j]!, w);
    alphas.push(alpha);
    // The three-term recurrence, then one Gram-Schmidt pass against the whole basis for what rounding left. A
    // Gram-Schmidt pass alone (the recurrence's large components included) lost orthogonality about sixfold per
    // step (‖w‖ drops from ‖A q‖ to β): after 20 steps the basis was no longer orthogonal and Ritz values exceeded
    // the largest eigenvalue.
    recurrence(w, alpha, basis[j]!, j > 0 ? betas[j - 1]! : 0, j > 0 ? basis[j - 1]! : basis[j]!);
    const beta = Math.sqrt(reorthogonalise(basis, w));
    const ritz = extremeRitz(alphas, betas, options.target);
    const estimate = { value: ritz.value, previous, residual: beta * Math.abs(ritz.vector[j]!) };
    const converged = beta === 0 || j === dimension - 1 || options.converged(estimate);
    if (converged || j === steps - 1) {
      return { value: ritz.value, iterations: j + 1, converged, vector: options.withVector ? ritzVector(basis, ritz.vector) : undefined };
    }
    previous = ritz.value;
    betas.push(beta);
    basis.push(scale(w, 1 / beta));
  }
}

// Monomorphic loops over float32 arrays with float64 sums: V8 runs these at memory speed, generic ArrayLike versions
// an order of magnitude slower. Sums go to four accumulators: with one, every addition waits for the previous one
// (the reorthogonalisation took 100 ms of a tracked step on the MNIST MLP).
function dot(q: Float32Array, w: Float32Array): number {
  return blockDot(q, w, 0, q.length);
}

/** Σ q[i]·w[i] over [start, end). */
function blockDot(q: Float32Array, w: Float32Array, start: number, end: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    s0 += q[i]! * w[i]!;
    s1 += q[i + 1]! * w[i + 1]!;
    s2 += q[i + 2]! * w[i + 2]!;
    s3 += q[i + 3]! * w[i + 3]!;
  }
  for (; i < end; i++) s0 += q[i]! * w[i]!;
  return s0 + s1 + s2 + s3;
}

function squaredNorm(w: Float32Array): number {
  return dot(w, w);
}

/** w −= α q + β p in one pass. */
function recurrence(w: Float32Array, alpha: number, q: Float32Array, beta: number, p: Float32Array): void {
  for (let i = 0; i < w.length; i++) w[i] = w[i]! - alpha * q[i]! - beta * p[i]!;
}

/** Entries of w per block: w's block stays in cache while every basis vector passes over it. */
const BLOCK = 4096;

/**
 * w −= Σ_q (q·w) q over the basis (classical Gram-Schmidt, by blocks of w: each block is read once per pass);
 * returns ‖w‖² afterwards.
 */
function reorthogonalise(basis: readonly Float32Array[], w: Float32Array): number {
  const c = new Float64Array(basis.length);
  for (let start = 0; start < w.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, w.length);
    for (let j = 0; j < basis.length; j++) c[j]! -= blockDot(basis[j]!, w, start, end);
  }
  let norm = 0;
  for (let start = 0; start < w.length; start += BLOCK) {
    const end = Math.min(start + BLOCK, w.length);
    addCombination(w, basis, c, start, end);
    norm += blockDot(w, w, start, end);
  }
  return norm;
}

/**
 * x[i] += Σ_j a_j·q_j[i] for i in [start, end), up to four vectors per pass over x: the float32 load and store of x
 * cost more than the products (one vector per pass made this most of Lanczos's own time).
 */
function addCombination(x: Float32Array, vectors: readonly Float32Array[], a: ArrayLike<number>, start: number, end: number): void {
  const k = vectors.length;
  let j = 0;
  for (; j + 4 <= k; j += 4) {
    const [q0, q1, q2, q3] = [vectors[j]!, vectors[j + 1]!, vectors[j + 2]!, vectors[j + 3]!];
    const [a0, a1, a2, a3] = [a[j]!, a[j + 1]!, a[j + 2]!, a[j + 3]!];
    for (let i = start; i < end; i++) x[i]! += a0 * q0[i]! + a1 * q1[i]! + a2 * q2[i]! + a3 * q3[i]!;
  }
  if (j + 2 <= k) {
    const [q0, q1, a0, a1] = [vectors[j]!, vectors[j + 1]!, a[j]!, a[j + 1]!];
    for (let i = start; i < end; i++) x[i]! += a0 * q0[i]! + a1 * q1[i]!;
    j += 2;
  }
  if (j < k) {
    const [q, aj] = [vectors[j]!, a[j]!];
    for (let i = start; i < end; i++) x[i]! += aj * q[i]!;
  }
}

/** x ·= factor in place. */
function scale(x: Float32Array, factor: number): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * factor;
  return x;
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

/** Σ_i y_i q_i, normalised (float32 sums: it only starts the next tracked step's Lanczos). */
function ritzVector(basis: readonly Float32Array[], y: readonly number[]): Float32Array {
  const x = new Float32Array(basis[0]!.length);
  for (let start = 0; start < x.length; start += BLOCK) addCombination(x, basis, y, start, Math.min(start + BLOCK, x.length));
  return scale(x, 1 / Math.sqrt(squaredNorm(x)));
}
