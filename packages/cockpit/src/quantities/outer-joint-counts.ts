// outerJointCounts: GradHist2d's counts of the pairs (g_n[i, j], θ[i, j]) for a Dense kernel, whose per-example
// gradients are the outer products g_n = a_n δ_nᵀ, without forming them. binCounts over the materialised products
// visits N·in·out values (171 million for the MNIST MLP) after writing them. Here:
// - Most products are small, so they fall in the bin just above zero (positive products) or just below it
//   (negative ones): the "central" bins. How many examples give a positive, and how many a negative product at
//   (i, j) are two matrix products of sign indicators, [a > 0 | a < 0]ᵀ·[δ > 0 | δ < 0] and the same with δ's two
//   halves swapped, so all non-zero pairs are first counted in the central bin of their sign, θ[i, j]'s y bin.
// - Per example and non-zero a_ni, the row a_ni·δ over δ's non-zero values sorted has its x bins in runs (found by
//   outerBinCounts' search, on the float32 products); only the runs outside the central bins are visited, each pair
//   moved from its central bin to its own. A pair with a zero factor is a zero gradient, counted per y bin at once.
// Every value is binned by binCounts' rule on the float32 product Math.fround(a·δ), so the counts are the same
// integers; the central bins only decide which pairs need to be looked at. Examples with a non-finite factor (NaN
// products) and rules whose bins do not increase with the value are counted pair by pair.
import * as tf from '@tensorflow/tfjs';
import { transposeLast } from '@flightdeck/core';
import { output, valuesOf } from './backend-memory.js';
import { type Axis, binCounts, binIndices, binParameters, type JointAxes } from './bin-counts.js';
import { binOfProduct, firstAtLeast, type Rule } from './outer-bin-counts.js';

const KERNEL = 'FlightdeckOuterJointCounts';

/**
 * Consecutive pairs mostly fall in the same bin; incrementing one array makes each increment wait for the previous
 * one's store, so runs alternate between this many copies of the counts (about 1.5× faster than one).
 */
const COPIES = 4;

/** Whether the bins increase with the value and every product of finite factors has one (±∞ products clamp). */
function increasing({ scale, shift }: Rule): boolean {
  return Number.isFinite(scale) && scale > 0 && Number.isFinite(shift);
}

/** The central bins: positive products' is zero's bin, negative ones' the bin just below zero (zero's if zero is inside it). */
function centralBins({ scale, shift, low, high }: Rule): { positive: number; negative: number } {
  const positive = binOfProduct(0, 0, scale, shift, low, high);
  return { positive, negative: Math.min(Math.max(shift - 1e-9, low), high) | 0 };
}

/** Sorted non-zero values with their columns, one sign: the multiplier makes products of one sign over them. */
interface Segment {
  values: Float32Array;
  columns: Int32Array;
  /** Where each bin edge fell in the previous row (a guess for the search). */
  hint: Int32Array;
}

/**
 * One example's non-zero δ, sorted with their columns: for a positive multiplier δ ascending (`up`), for a negative
 * one −δ ascending (`down`, as a·δ = |a|·(−δ) exactly); each split into the values that make negative products and
 * those that make positive ones.
 */
class SortedColumns {
  private readonly order: Int32Array;
  private readonly up: Float32Array;
  private readonly upColumns: Int32Array;
  private readonly down: Float32Array;
  private readonly downColumns: Int32Array;
  private readonly hints: Int32Array[];
  /** [negative products, positive products] for a positive and for a negative multiplier. */
  segments: { positive: [Segment, Segment]; negative: [Segment, Segment] } | undefined;

  constructor(q: number, bins: number) {
    [this.order, this.upColumns, this.downColumns] = [new Int32Array(q), new Int32Array(q), new Int32Array(q)];
    [this.up, this.down] = [new Float32Array(q), new Float32Array(q)];
    this.hints = Array.from({ length: 4 }, () => new Int32Array(bins + 1));
  }

  /** Takes d[from, from + q) (finite values). */
  fill(d: Float32Array, from: number, q: number): void {
    let size = 0;
    let negatives = 0;
    for (let j = 0; j < q; j++) {
      const v = d[from + j];
      if (v !== 0) this.order[size++] = j;
      if (v < 0) negatives++;
    }
    const sorted = this.order.subarray(0, size).sort((x, y) => d[from + x] - d[from + y]);
    for (let k = 0; k < size; k++) {
      const v = d[from + sorted[k]];
      [this.up[k], this.upColumns[k]] = [v, sorted[k]];
      [this.down[size - 1 - k], this.downColumns[size - 1 - k]] = [-v, sorted[k]];
    }
    const segment = (values: Float32Array, columns: Int32Array, from: number, to: number, hint: number): Segment => ({
      values: values.subarray(from, to),
      columns: columns.subarray(from, to),
      hint: this.hints[hint],
    });
    const positives = size - negatives;
    this.segments = {
      positive: [segment(this.up, this.upColumns, 0, negatives, 0), segment(this.up, this.upColumns, negatives, size, 1)],
      negative: [segment(this.down, this.downColumns, 0, positives, 2), segment(this.down, this.downColumns, positives, size, 3)],
    };
  }
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
 * The pairs of m·t (m > 0, t a segment; its column k is in the parameter's row at `base`) outside bin `central`:
 * x bins are non-decreasing along t, so each run of one bin is counted without binning its products.
 */
function countSegment(products: Int32Array, m: number, { values: t, columns, hint }: Segment, central: number, base: number, yBin: Int32Array, yBins: number, rule: Rule): void {
  const q = t.length;
  if (q === 0) return;
  const { scale, shift, low, high } = rule;
  const stride = products.length / COPIES;
  const first = binOfProduct(m, t[0], scale, shift, low, high);
  const last = binOfProduct(m, t[q - 1], scale, shift, low, high);
  let start = 0;
  for (let b = first + 1; b <= last; b++) {
    const end = firstAtLeast(b, start, hint[b], m, t, rule);
    if (b - 1 !== central) countRun(products, (b - 1) * yBins, start, end, columns, base, yBin, stride);
    hint[b] = end;
    start = end;
  }
  if (last !== central) countRun(products, last * yBins, start, q, columns, base, yBin, stride);
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

/** Sums the copies into the first. */
function folded(products: Int32Array, size: number): Int32Array {
  for (let copy = 1; copy < COPIES; copy++) for (let k = 0; k < size; k++) products[k] += products[copy * size + k];
  return products.subarray(0, size);
}

/** The statistics of the examples with finite factors (`finite[n]` = 1), from the sign products. */
interface SignCounts {
  finite: Float32Array;
  /** Per (i, j), over those examples: how many a_ni·δ_nj > 0 (signs alike), and how many < 0. */
  alike: Float32Array;
  unlike: Float32Array;
}

/**
 * counts[bin_x(fl32(a[n, i]·d[n, j]))·yBins + yBin[i·q + j]]++ over all n, i, j (a [N, p], d [N, q], yBin the y bins
 * of a [p, q] parameter), NaN products skipped: binCounts' pair rule on the materialised products. The examples
 * marked finite in `signs` must have finite factors, and may be marked only for an increasing rule.
 */
export function countOuterPairs(counts: Int32Array, a: Float32Array, d: Float32Array, n: number, yBin: Int32Array, xAxis: Axis, yBins: number, signs: SignCounts): void {
  const p = a.length / n;
  const q = d.length / n;
  const rule = binParameters(xAxis);
  const central = centralBins(rule);
  // The non-central pairs by the sign of their products, kept apart to take them out of their central bins.
  const [positives, negatives] = [new Int32Array(COPIES * counts.length), new Int32Array(COPIES * counts.length)];
  const columns = new SortedColumns(q, xAxis.bins);
  let sorted = 0;
  for (let e = 0; e < n; e++) {
    if (signs.finite[e] !== 1) {
      countDirectly(counts, a, d, e, p, q, yBin, yBins, rule);
      continue;
    }
    sorted++;
    columns.fill(d, e * q, q);
    const { positive, negative } = columns.segments!;
    for (let i = 0; i < p; i++) {
      const m = a[e * p + i];
      const segments = m > 0 ? positive : m < 0 ? negative : undefined;
      if (segments === undefined) continue;
      countSegment(negatives, Math.abs(m), segments[0], central.negative, i * q, yBin, yBins, rule);
      countSegment(positives, Math.abs(m), segments[1], central.positive, i * q, yBin, yBins, rule);
    }
  }
  if (sorted === 0) return;
  const zeroBin = binOfProduct(0, 0, rule.scale, rule.shift, rule.low, rule.high);
  for (let k = 0; k < yBin.length; k++) {
    const [y, alike, unlike] = [yBin[k], signs.alike[k], signs.unlike[k]];
    counts[central.positive * yBins + y] += alike;
    counts[central.negative * yBins + y] += unlike;
    counts[zeroBin * yBins + y] += sorted - alike - unlike;
  }
  const [moved, movedNegative] = [folded(positives, counts.length), folded(negatives, counts.length)];
  for (let k = 0; k < counts.length; k++) {
    const y = k % yBins;
    counts[k] += moved[k] + movedNegative[k];
    counts[central.positive * yBins + y] -= moved[k];
    counts[central.negative * yBins + y] -= movedNegative[k];
  }
}

function outerJointCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x: xAxis, y: yAxis } = attrs as unknown as JointAxes;
  const a = inputs.a as tf.TensorInfo;
  const counts = new Int32Array(xAxis.bins * yAxis.bins);
  const yBin = binIndices(valuesOf(backend, inputs.theta as tf.TensorInfo), yAxis);
  const [finite, alike, unlike] = (['finite', 'alike', 'unlike'] as const).map((name) => valuesOf(backend, inputs[name] as tf.TensorInfo));
  countOuterPairs(counts, valuesOf(backend, a), valuesOf(backend, inputs.d as tf.TensorInfo), a.shape[0]!, yBin, xAxis, yAxis.bins, { finite: finite!, alike: alike!, unlike: unlike! });
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
  return tf.tidy(() => {
    const rows = (t: tf.Tensor2D) => tf.all(tf.isFinite(t), 1);
    const finite = tf.cast(increasing(binParameters(axes.x)) ? tf.logicalAnd(rows(a), rows(d)) : tf.zeros([a.shape[0]], 'bool'), 'float32');
    // Signs of a as columns per example (zero for the examples counted pair by pair), then [a > 0 | a < 0]ᵀ.
    const aT = tf.mul(transposeLast(a), tf.expandDims(finite, 0));
    const signsOfA = tf.concat([tf.cast(tf.greater(aT, 0), 'float32'), tf.cast(tf.less(aT, 0), 'float32')], 1);
    const [positiveD, negativeD] = [tf.cast(tf.greater(d, 0), 'float32'), tf.cast(tf.less(d, 0), 'float32')];
    // Integer sums of at most 2N ones: exact in float32.
    const alike = tf.matMul(signsOfA, tf.concat([positiveD, negativeD], 0));
    const unlike = tf.matMul(signsOfA, tf.concat([negativeD, positiveD], 0));
    const inputs = { a, d, theta, finite, alike, unlike };
    return tf.engine().runKernel(KERNEL, inputs as unknown as tf.NamedTensorMap, { x: axes.x, y: axes.y } as unknown as tf.NamedAttrMap) as tf.Tensor1D;
  });
}
