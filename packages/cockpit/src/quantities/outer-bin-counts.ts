// outerBinCounts: the histogram of every entry of the per-example outer products a_n δ_nᵀ (a Dense layer's
// individual weight gradients) without forming them. binCounts over the materialised products visits N·in·out
// values (171 million for the MNIST MLP); here each row of products, a_i·δ_n sorted, is monotone in the sorted δ,
// so its bins are runs whose ends a galloping search finds in O(log out) evaluations per run. Every value is
// binned by binCounts' rule applied to the float32 product, so the counts are the same integers.
import * as tf from '@tensorflow/tfjs';
import { output, valuesOf } from './backend-memory.js';
import { type Axis, binCounts, binParameters } from './bin-counts.js';

const KERNEL = 'FlightdeckOuterBinCounts';

type Binner = (v: number) => number;

/** Counts the bins of fl32(a·s[j]) for j < s.length, s sorted: each run of equal bins by a galloping search. */
function countSortedRow(counts: Int32Array, a: number, s: Float32Array, bin: Binner): void {
  const q = s.length;
  const at = (j: number) => bin(Math.fround(a * s[j]));
  const last = at(q - 1);
  let start = 0;
  while (start < q) {
    const b = at(start);
    if (b === last) {
      counts[b] += q - start;
      return;
    }
    // at(lo) === b and the bin after the run differs (the bins are monotone in j and end at last ≠ b).
    let lo = start;
    let hi = start + 1;
    for (let step = 1; hi < q - 1 && at(hi) === b; step *= 2) {
      lo = hi;
      hi = Math.min(lo + step, q - 1);
    }
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (at(mid) === b) lo = mid;
      else hi = mid;
    }
    counts[b] += hi - start;
    start = hi;
  }
}

/** Every product binned one by one, NaN skipped: binCounts' loop, for rows where monotonicity may fail. */
function countRowDirectly(counts: Int32Array, a: number, d: Float32Array, { scale, shift, low, high }: ReturnType<typeof binParameters>): void {
  for (let j = 0; j < d.length; j++) {
    const c = Math.fround(a * d[j]) * scale + shift;
    if (c === c) counts[Math.min(Math.max(c, low), high) | 0]++;
  }
}

const allFinite = (v: Float32Array) => v.every(Number.isFinite);

/**
 * counts[bin(fl32(a[n, i]·d[n, j]))]++ over all n, i, j. The run search needs the bin to be monotone in the
 * product and no NaN among the products: true for finite factors and a finite, non-degenerate range; any other
 * example is counted directly (where NaN products are skipped, as binCounts does).
 */
export function countOuterProducts(counts: Int32Array, a: Float32Array, d: Float32Array, n: number, axis: Axis): void {
  const p = a.length / n;
  const q = d.length / n;
  const rule = binParameters(axis);
  const { scale, shift, low, high } = rule;
  const bin: Binner = (v) => Math.min(Math.max(v * scale + shift, low), high) | 0;
  const monotoneRule = Number.isFinite(scale) && scale !== 0 && Number.isFinite(shift);
  const sorted = new Float32Array(q);
  for (let e = 0; e < n; e++) {
    const rowA = a.subarray(e * p, (e + 1) * p);
    const rowD = d.subarray(e * q, (e + 1) * q);
    if (q === 0) continue;
    if (!(monotoneRule && allFinite(rowA) && allFinite(rowD))) {
      for (let i = 0; i < p; i++) countRowDirectly(counts, rowA[i], rowD, rule);
      continue;
    }
    sorted.set(rowD);
    sorted.sort();
    for (let i = 0; i < p; i++) countSortedRow(counts, rowA[i], sorted, bin);
  }
}

interface OuterBinCountsAttrs {
  axis: Axis;
}

function outerBinCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { axis } = attrs as unknown as OuterBinCountsAttrs;
  const a = inputs.a as tf.TensorInfo;
  const counts = new Int32Array(axis.bins);
  countOuterProducts(counts, valuesOf(backend, a), valuesOf(backend, inputs.d as tf.TensorInfo), a.shape[0]!, axis);
  return output(backend, counts);
}

for (const backendName of ['cpu', 'wasm']) {
  if (!tf.getKernel(KERNEL, backendName)) tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc: outerBinCountsKernel as tf.KernelFunc });
}

/**
 * int32 counts per bin ([bins]) of every entry of the outer products a_n d_nᵀ, for a [N, p] and d [N, q]: equal to
 * binCounts of the materialised [N, p, q] products. Backends without the kernel materialise them.
 */
export function outerBinCounts(a: tf.Tensor2D, d: tf.Tensor2D, axis: Axis): tf.Tensor1D {
  if (a.shape[0] !== d.shape[0]) throw new Error(`outerBinCounts: ${a.shape[0]} rows of a against ${d.shape[0]} rows of d`);
  if (a.dtype !== 'float32' || d.dtype !== 'float32') throw new Error(`outerBinCounts: float32 factors expected, got ${a.dtype} and ${d.dtype}`);
  if (!tf.getKernel(KERNEL, tf.getBackend())) {
    return tf.tidy(() => binCounts(tf.mul(tf.expandDims(a, 2), tf.expandDims(d, 1)), axis));
  }
  return tf.engine().runKernel(KERNEL, { a, d } as unknown as tf.NamedTensorMap, { axis } as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
