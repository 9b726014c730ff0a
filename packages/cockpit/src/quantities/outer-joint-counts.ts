// outerJointCounts: GradHist2d's counts of the pairs (g_n[i, j], θ[i, j]) for a Dense kernel, whose per-example
// gradients are the outer products g_n = a_n δ_nᵀ, without forming them. binCounts over the materialised products
// visits N·in·out values (171 million for the MNIST MLP) after writing them. Here, per example, only non-zero a_ni and
// δ_nj pair up (ReLU makes many of both zero), and the products are not binned one by one: with δ's non-zero values
// sorted, the x bins of the row a_ni·δ are runs (found by outerBinCounts' search, on the float32 products), so each
// pair costs only the look-up of θ[i, j]'s precomputed y bin. A pair with a zero factor (the other finite) is a zero
// gradient: per y bin, their number is the kernel's total there minus the non-zero products counted there, added
// once at the end. The counts are the same integers as binCounts' over the materialised float32 products.
import * as tf from '@tensorflow/tfjs';
import { output, valuesOf } from './backend-memory.js';
import { type Axis, binCounts, binIndices, binParameters, type JointAxes } from './bin-counts.js';
import { binOfProduct, firstAtLeast, type Rule } from './outer-bin-counts.js';

const KERNEL = 'FlightdeckOuterJointCounts';

/**
 * Consecutive pairs mostly fall in the same bin; incrementing one array makes each increment wait for the previous
 * one's store, so runs alternate between this many copies of the counts (about 1.5× faster than one).
 */
const COPIES = 4;

/** One example's non-zero δ, sorted with their columns: ascending (`up`), and negated in reverse (`down`, ascending too). */
class SortedColumns {
  private readonly order: Int32Array;
  readonly up: Float32Array;
  readonly upColumns: Int32Array;
  readonly down: Float32Array;
  readonly downColumns: Int32Array;
  size = 0;

  constructor(q: number) {
    [this.order, this.upColumns, this.downColumns] = [new Int32Array(q), new Int32Array(q), new Int32Array(q)];
    [this.up, this.down] = [new Float32Array(q), new Float32Array(q)];
  }

  /** Takes d[from, from + q); false (and unusable) when a value is not finite. */
  fill(d: Float32Array, from: number, q: number): boolean {
    let size = 0;
    for (let j = 0; j < q; j++) {
      const v = d[from + j];
      if (v === 0) continue;
      if (!Number.isFinite(v)) return false;
      this.order[size++] = j;
    }
    const sorted = this.order.subarray(0, size).sort((x, y) => d[from + x] - d[from + y]);
    for (let k = 0; k < size; k++) {
      const v = d[from + sorted[k]];
      [this.up[k], this.upColumns[k]] = [v, sorted[k]];
      // a·t = |a|·(−t) exactly, for a negative multiplier a.
      [this.down[size - 1 - k], this.downColumns[size - 1 - k]] = [-v, sorted[k]];
    }
    this.size = size;
    return true;
  }
}

/** Whether every finite factor is, which the sorted path needs (a NaN or infinite factor makes NaN products). */
function allFinite(x: Float32Array, from: number, size: number): boolean {
  for (let k = from; k < from + size; k++) if (!Number.isFinite(x[k])) return false;
  return true;
}

/** products[offset + yBin[base + columns[k]]]++ for k in [start, end), spread over the copies. */
function countRun(products: Int32Array, offset: number, start: number, end: number, columns: Int32Array, base: number, yBin: Int32Array, stride: number): void {
  let k = start;
  for (; k + COPIES <= end; k += COPIES) {
    products[offset + yBin[base + columns[k]]]++;
    products[stride + offset + yBin[base + columns[k + 1]]]++;
    products[2 * stride + offset + yBin[base + columns[k + 2]]]++;
    products[3 * stride + offset + yBin[base + columns[k + 3]]]++;
  }
  for (; k < end; k++) products[offset + yBin[base + columns[k]]]++;
}

/**
 * The pairs of row m·t (m > 0, t ascending and finite; column k of t is columns[k], in the parameter's row at
 * `base`): x bins are non-decreasing in k, so each run of one bin is counted without binning its products.
 * `hint[b]` holds where edge b fell in the previous row.
 */
function countRow(products: Int32Array, m: number, t: Float32Array, columns: Int32Array, base: number, yBin: Int32Array, yBins: number, hint: Int32Array, rule: Rule): void {
  const { scale, shift, low, high } = rule;
  const q = t.length;
  const stride = products.length / COPIES;
  const first = binOfProduct(m, t[0], scale, shift, low, high);
  const last = binOfProduct(m, t[q - 1], scale, shift, low, high);
  let start = 0;
  for (let b = first + 1; b <= last; b++) {
    const end = firstAtLeast(b, start, hint[b], m, t, rule);
    countRun(products, (b - 1) * yBins, start, end, columns, base, yBin, stride);
    hint[b] = end;
    start = end;
  }
  countRun(products, last * yBins, start, q, columns, base, yBin, stride);
}

/** Every pair of one example binned one by one, NaN skipped: binCounts' pair loop over the products. */
function countDirectly(counts: Int32Array, a: Float32Array, d: Float32Array, e: number, p: number, q: number, yBin: Int32Array, yBins: number, rule: Rule): void {
  const { scale, shift, low, high } = rule;
  for (let i = 0; i < p; i++) {
    const m = a[e * p + i];
    for (let j = 0; j < q; j++) {
      const c = Math.fround(m * d[e * q + j]) * scale + shift;
      if (c === c) counts[(Math.min(Math.max(c, low), high) | 0) * yBins + yBin[i * q + j]]++;
    }
  }
}

/**
 * counts[bin_x(fl32(a[n, i]·d[n, j]))·yBins + yBin[i·q + j]]++ over all n, i, j (a [N, p], d [N, q], yBin the y bins
 * of a [p, q] parameter), NaN products skipped: binCounts' pair rule on the materialised products. The runs need
 * x bins increasing with the product and no NaN coordinate (a finite, positive scale and a finite shift: ±∞ products
 * clamp) and finite factors; any other example is counted directly.
 */
export function countOuterPairs(counts: Int32Array, a: Float32Array, d: Float32Array, n: number, yBin: Int32Array, xAxis: Axis, yBins: number): void {
  const p = a.length / n;
  const q = d.length / n;
  const rule = binParameters(xAxis);
  const monotone = Number.isFinite(rule.scale) && rule.scale > 0 && Number.isFinite(rule.shift);
  // The non-zero products of the examples counted by runs, kept apart for the zeros' subtraction.
  const products = new Int32Array(COPIES * counts.length);
  const columns = new SortedColumns(q);
  const [hintUp, hintDown] = [new Int32Array(xAxis.bins + 1), new Int32Array(xAxis.bins + 1)];
  let sorted = 0;
  for (let e = 0; e < n; e++) {
    if (!(monotone && allFinite(a, e * p, p) && columns.fill(d, e * q, q))) {
      countDirectly(counts, a, d, e, p, q, yBin, yBins, rule);
      continue;
    }
    sorted++;
    const size = columns.size;
    if (size === 0) continue;
    const [up, down] = [columns.up.subarray(0, size), columns.down.subarray(0, size)];
    for (let i = 0; i < p; i++) {
      const m = a[e * p + i];
      if (m > 0) countRow(products, m, up, columns.upColumns, i * q, yBin, yBins, hintUp, rule);
      else if (m < 0) countRow(products, -m, down, columns.downColumns, i * q, yBin, yBins, hintDown, rule);
    }
  }
  if (sorted === 0) return;
  const size = counts.length;
  for (let copy = 1; copy < COPIES; copy++) for (let k = 0; k < size; k++) products[k] += products[copy * size + k];
  const zeroBin = binOfProduct(0, 0, rule.scale, rule.shift, rule.low, rule.high);
  const zeros = new Float64Array(yBins);
  for (let k = 0; k < yBin.length; k++) zeros[yBin[k]] += sorted;
  for (let k = 0; k < size; k++) zeros[k % yBins] -= products[k];
  for (let y = 0; y < yBins; y++) counts[zeroBin * yBins + y] += zeros[y];
  for (let k = 0; k < size; k++) counts[k] += products[k];
}

function outerJointCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x: xAxis, y: yAxis } = attrs as unknown as JointAxes;
  const a = inputs.a as tf.TensorInfo;
  const counts = new Int32Array(xAxis.bins * yAxis.bins);
  const yBin = binIndices(valuesOf(backend, inputs.theta as tf.TensorInfo), yAxis);
  countOuterPairs(counts, valuesOf(backend, a), valuesOf(backend, inputs.d as tf.TensorInfo), a.shape[0]!, yBin, xAxis, yAxis.bins);
  return output(backend, counts);
}

for (const backendName of ['cpu', 'wasm']) {
  if (!tf.getKernel(KERNEL, backendName)) tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc: outerJointCountsKernel as tf.KernelFunc });
}

/**
 * int32 counts ([x bins · y bins], row-major [x bin, y bin]) of the pairs (g_n[i, j], θ[i, j]) over every n, where
 * g_n = a_n d_nᵀ for a [N, p], d [N, q] and θ [p, q]: equal to binCounts of the materialised [N, p, q] products
 * paired with θ. Backends without the kernel materialise them.
 */
export function outerJointCounts(a: tf.Tensor2D, d: tf.Tensor2D, theta: tf.Tensor, axes: JointAxes): tf.Tensor1D {
  if (a.shape[0] !== d.shape[0]) throw new Error(`outerJointCounts: ${a.shape[0]} rows of a against ${d.shape[0]} rows of d`);
  if (theta.size !== a.shape[1] * d.shape[1]) {
    throw new Error(`outerJointCounts: θ of shape [${theta.shape}] does not pair with products of shape [${a.shape[1]}, ${d.shape[1]}]`);
  }
  if (a.dtype !== 'float32' || d.dtype !== 'float32' || theta.dtype !== 'float32') {
    throw new Error(`outerJointCounts: float32 tensors expected, got ${a.dtype}, ${d.dtype} and ${theta.dtype}`);
  }
  if (!tf.getKernel(KERNEL, tf.getBackend())) {
    return tf.tidy(() => binCounts(tf.mul(tf.expandDims(a, 2), tf.expandDims(d, 1)), axes.x, { y: theta, axis: axes.y }));
  }
  const attrs = { x: axes.x, y: axes.y };
  return tf.engine().runKernel(KERNEL, { a, d, theta } as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
