// outerJointCounts: GradHist2d's counts of the pairs (g_n[i, j], θ[i, j]) for a Dense kernel, whose per-example
// gradients are the outer products g_n = a_n δ_nᵀ, without forming them. binCounts over the materialised products
// visits N·in·out values (171 million for the MNIST MLP) after writing them. Here:
// - Most products are small, so they fall in the bin just above zero (positive products) or just below it
//   (negative ones): the "central" bins. How many examples give a positive, and how many a negative product at
//   (i, j) follows from two matrix products over the examples, [a ≠ 0]ᵀ·[δ ≠ 0] and sign(a)ᵀ·sign(δ), so all non-zero
//   pairs are first counted in the central bin of their sign, θ[i, j]'s y bin (not on the cpu backend, whose matrix
//   products cost more than they spare: there every run below is visited).
// - Per example and non-zero a_ni, the row a_ni·δ over δ's non-zero values sorted has its x bins in runs (found by
//   outerBinCounts' search, on the float32 products); only the runs outside the central bins are visited, each pair
//   moved from its central bin to its own. A pair with a zero factor is a zero gradient, counted per y bin at once.
// Every value is binned by binCounts' rule on the float32 product Math.fround(a·δ), so the counts are the same
// integers; the central bins only decide which pairs need to be looked at. Examples with a non-finite factor (NaN
// products) and rules whose bins do not increase with the value are counted pair by pair.
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, transposeLast, withBackendViews } from '@flightdeck/core';
import { type Axis, binCounts, binIndices, binParameters, type JointAxes } from './bin-counts.js';
import { binOfProduct, firstAtLeast, type Rule } from './outer-products-counting.js';

const KERNEL = 'FlightdeckOuterJointCounts';

/**
 * Consecutive pairs mostly fall in the same bin; incrementing one array makes each increment wait for the previous
 * one's store, so runs alternate between this many copies of the counts (about 1.5× faster than one).
 */
const COPIES = 4;

/** Products binned per bin edge found by the run search (galloping from the hint, then bisection), about. */
const SEARCH_COST = 12;

/** Whether the bins increase with the value and every product of finite factors has one (±∞ products clamp). */
function increasing({ scale, shift }: Rule): boolean {
  return Number.isFinite(scale) && scale > 0 && Number.isFinite(shift);
}

/**
 * The central bins: positive products' is zero's bin, negative ones' the bin just below zero (zero's if zero lies
 * inside its bin). Any choice gives the same counts; this one leaves the fewest pairs to move.
 */
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
  if (first === last) {
    if (first !== central) countRun(products, first * yBins, 0, q, columns, base, yBin, stride);
    return;
  }
  // A search costs a few products per edge; where the row crosses many edges for its length, bin each product.
  if ((last - first) * SEARCH_COST > q) {
    for (let k = 0; k < q; k++) {
      const b = binOfProduct(m, t[k], scale, shift, low, high);
      if (b !== central) products[b * yBins + yBin[base + columns[k]]]++;
    }
    return;
  }
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

/** Per (i, j), over the examples with finite factors: how many a_ni·δ_nj ≠ 0, and Σ_n sign(a_ni)·sign(δ_nj). */
interface SignCounts {
  nonZero: Float32Array;
  signed: Float32Array;
}

/**
 * counts[bin_x(fl32(a[n, i]·d[n, j]))·yBins + yBin[i·q + j]]++ over all n, i, j (a [N, p], d [N, q], yBin the y bins
 * of a [p, q] parameter), NaN products skipped: binCounts' pair rule on the materialised products. The examples
 * marked in `finite` must have finite factors, and may be marked only for an increasing rule; the others are counted
 * pair by pair. Without the sign counts every run is visited.
 */
function countOuterPairs(counts: Int32Array, a: Float32Array, d: Float32Array, n: number, yBin: Int32Array, xAxis: Axis, yBins: number, finite: Float32Array, signs?: SignCounts): void {
  const p = a.length / n;
  const q = d.length / n;
  const rule = binParameters(xAxis);
  const central = signs ? centralBins(rule) : { positive: -1, negative: -1 };
  // The visited pairs by the sign of their products, kept apart to take them out of their central bins.
  const [positives, negatives] = [new Int32Array(COPIES * counts.length), new Int32Array(COPIES * counts.length)];
  const columns = new SortedColumns(q, xAxis.bins);
  let sorted = 0;
  for (let e = 0; e < n; e++) {
    if (finite[e] !== 1) {
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
  const size = counts.length;
  const [visitedPositive, visitedNegative] = [folded(positives, size), folded(negatives, size)];
  for (let k = 0; k < size; k++) counts[k] += visitedPositive[k] + visitedNegative[k];
  // Per y bin over the sorted examples: all pairs, the non-zero ones, and those of each sign in the central bins.
  const [pairs, nonZero, alike, unlike] = Array.from({ length: 4 }, () => new Float64Array(yBins));
  for (let k = 0; k < yBin.length; k++) pairs[yBin[k]] += sorted;
  if (signs) {
    for (let k = 0; k < yBin.length; k++) {
      const [y, all, signed] = [yBin[k], signs.nonZero[k], signs.signed[k]];
      nonZero[y] += all;
      alike[y] += (all + signed) / 2;
      unlike[y] += (all - signed) / 2;
    }
    for (let k = 0; k < size; k++) {
      alike[k % yBins] -= visitedPositive[k];
      unlike[k % yBins] -= visitedNegative[k];
    }
  } else {
    for (let k = 0; k < size; k++) nonZero[k % yBins] += visitedPositive[k] + visitedNegative[k];
  }
  const zeroRow = binOfProduct(0, 0, rule.scale, rule.shift, rule.low, rule.high) * yBins;
  for (let y = 0; y < yBins; y++) {
    counts[zeroRow + y] += pairs[y] - nonZero[y];
    if (signs) {
      counts[central.positive * yBins + y] += alike[y];
      counts[central.negative * yBins + y] += unlike[y];
    }
  }
}

function outerJointCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x: xAxis, y: yAxis } = attrs as unknown as JointAxes;
  const a = inputs.a as tf.TensorInfo;
  const names = ['theta', 'a', 'd', 'finite', ...(inputs.nonZero === undefined ? [] : ['nonZero', 'signed'])];
  const { out, outValues, inputValues } = withBackendViews(backend, { shape: [xAxis.bins * yAxis.bins], dtype: 'int32' }, names.map((name) => inputs[name] as tf.TensorInfo));
  const [theta, av, dv, finite, nonZero, signed] = inputValues as Float32Array[];
  const signs = nonZero === undefined ? undefined : { nonZero, signed: signed! };
  countOuterPairs(outValues as Int32Array, av!, dv!, a.shape[0]!, binIndices(theta!, yAxis), xAxis, yAxis.bins, finite!, signs);
  return out;
}

registerJsKernel(KERNEL, outerJointCountsKernel);

function runOuterJointCounts(inputs: Record<string, tf.Tensor>, axes: JointAxes): tf.Tensor1D {
  return tf.engine().runKernel(KERNEL, inputs as unknown as tf.NamedTensorMap, { x: axes.x, y: axes.y } as unknown as tf.NamedAttrMap) as tf.Tensor1D;
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
    const sortable = increasing(binParameters(axes.x));
    const finite = tf.cast(sortable ? tf.logicalAnd(rows(a), rows(d)) : tf.zeros([a.shape[0]], 'bool'), 'float32');
    // The sign products pay where matMul is fast (wasm: ~16 ms each for the MNIST MLP's first layer); the cpu
    // backend's JS matMul costs more than the central runs they spare (~800 against ~250 ms for the MLP).
    if (!sortable || tf.getBackend() === 'cpu') return runOuterJointCounts({ a, d, theta, finite }, axes);
    // Indicators by comparisons (NaN gives 0 in both); a's as columns, zero for the examples counted pair by pair.
    const indicators = (t: tf.Tensor) => [tf.cast(tf.greater(t, 0), 'float32'), tf.cast(tf.less(t, 0), 'float32')];
    const [positiveA, negativeA] = indicators(tf.mul(transposeLast(a), tf.expandDims(finite, 0)));
    const [positiveD, negativeD] = indicators(d);
    // Sums of at most N terms ±1: exact in float32.
    const nonZero = tf.matMul(tf.add(positiveA, negativeA), tf.add(positiveD, negativeD));
    const signed = tf.matMul(tf.sub(positiveA, negativeA), tf.sub(positiveD, negativeD));
    return runOuterJointCounts({ a, d, theta, finite, nonZero, signed }, axes);
  });
}
