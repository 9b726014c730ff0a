// countOuterProducts: the histogram of every entry of the per-example outer products a_n δ_nᵀ (a Dense layer's
// individual weight gradients) without forming them. binCounts over the materialised products visits N·in·out
// values (171 million for the MNIST MLP). Here, per example, a row of products m·δ (m = a_i) whose products keep
// one bin per sign of δ (small gradients: most rows once training is under way) is counted from δ's extreme values
// of each sign. For the other rows δ is sorted, so each row (m > 0; a negative a_i uses |a_i| and −δ reversed) is
// monotone and its bins are runs: only the run ends are searched for, starting from where the same bin edge ended in
// the previous row; rows go by increasing m, so the ends move little. Zero factors give zero products, counted at
// once. Every value is binned by binCounts' rule applied to the float32 product, so the counts are the same
// integers: the search only decides which products need not be looked at.
import { type Axis, binParameters } from './bin-rule.js';

export type Rule = ReturnType<typeof binParameters>;

/** binCounts' bin of the float32 product m·t (not NaN). */
export function binOfProduct(m: number, t: number, scale: number, shift: number, low: number, high: number): number {
  return Math.min(Math.max(Math.fround(m * t) * scale + shift, low), high) | 0;
}

/**
 * The first j ≥ lo with bin(m·t[j]) ≥ k, given that bin(m·t[q − 1]) ≥ k and bins non-decreasing in j: a
 * galloping search from the guess g, then bisection.
 */
export function firstAtLeast(k: number, lo: number, g: number, m: number, t: Float32Array, { scale, shift, low, high }: Rule): number {
  const q = t.length;
  let below = lo - 1; // bin(m·t[below]) < k (or below the range)
  let hi = Math.min(Math.max(g, lo), q - 1); // bin(m·t[hi]) ≥ k once established
  if (binOfProduct(m, t[hi], scale, shift, low, high) >= k) {
    for (let step = 1; hi - step > below; step *= 2) {
      if (binOfProduct(m, t[hi - step], scale, shift, low, high) < k) {
        below = hi - step;
        break;
      }
      hi -= step;
    }
  } else {
    below = hi;
    hi = q - 1;
    for (let step = 1; below + step < hi; step *= 2) {
      if (binOfProduct(m, t[below + step], scale, shift, low, high) >= k) {
        hi = below + step;
        break;
      }
      below += step;
    }
  }
  while (hi - below > 1) {
    const mid = (below + hi) >>> 1;
    if (binOfProduct(m, t[mid], scale, shift, low, high) >= k) hi = mid;
    else below = mid;
  }
  return hi;
}

/**
 * counts[bin(m·t[j])]++ for every multiplier m ≥ 0 (taken in increasing order) and every j, t ascending and
 * finite. `hint[k]` holds where edge k fell in the previous row.
 */
function countRows(counts: Int32Array, multipliers: Float32Array, t: Float32Array, hint: Int32Array, rule: Rule): void {
  const q = t.length;
  const { scale, shift, low, high } = rule;
  for (let i = 0; i < multipliers.length; i++) {
    const m = multipliers[i];
    const first = binOfProduct(m, t[0], scale, shift, low, high);
    const last = binOfProduct(m, t[q - 1], scale, shift, low, high);
    let start = 0;
    for (let k = first + 1; k <= last; k++) {
      const end = firstAtLeast(k, start, hint[k], m, t, rule);
      counts[k - 1] += end - start;
      hint[k] = end;
      start = end;
    }
    counts[last] += q - start;
  }
}

/** Every product binned one by one, NaN skipped: binCounts' loop, for examples where monotonicity may fail. */
function countDirectly(counts: Int32Array, a: Float32Array, d: Float32Array, { scale, shift, low, high }: Rule): void {
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < d.length; j++) {
      const c = Math.fround(a[i] * d[j]) * scale + shift;
      if (c === c) counts[Math.min(Math.max(c, low), high) | 0]++;
    }
  }
}

/**
 * Sorts finite float32 values ascending, in place, as integers: the bits of a float read as int32 are in order for
 * positive values and in reverse for negative ones, so flipping the magnitude bits of the negative ones makes an
 * order-preserving key (and flipping them back restores the value). Int32Array.sort is 2.5× faster than
 * Float32Array.sort, whose comparison handles NaN and −0.
 */
export function sortFinite(x: Float32Array): Float32Array {
  const bits = new Int32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < bits.length; i++) if (bits[i] < 0) bits[i] ^= 0x7fffffff;
  bits.sort();
  for (let i = 0; i < bits.length; i++) if (bits[i] < 0) bits[i] ^= 0x7fffffff;
  return x;
}

interface Summary {
  /** Σ|x|: finite exactly when every x is. */
  sumAbs: number;
  min: number;
  max: number;
  nonZero: number;
}

function summary(x: Float32Array): Summary {
  let sumAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (let i = 0; i < x.length; i++) {
    sumAbs += Math.abs(x[i]);
    min = Math.min(min, x[i]);
    max = Math.max(max, x[i]);
    zeros += Number(x[i] === 0);
  }
  return { sumAbs, min, max, nonZero: x.length - zeros };
}

// Costs in products binned directly (about 3 ns each), measured on the MNIST MLP's factors.
/** One bin edge found by the run search (galloping, then bisection). */
const SEARCH_COST = 13;
/** One comparison of the sort (about n·log₂n of them). */
const COMPARISON_COST = 1.3;
/** Checking whether a row stays in one bin per sign. */
const ROW_COST = 3;

/**
 * What counting an example costs with the rows taken from one factor and the other sorted: the rows' checks, the
 * bin edges their products cross (Σ|u_i|·(max v − min v)·scale), and the sort.
 */
function runCost(rows: Summary, columns: Summary, scale: number): number {
  const crossings = rows.sumAbs * (columns.max - columns.min) * scale;
  return rows.nonZero * ROW_COST + crossings * SEARCH_COST + columns.nonZero * Math.log2(columns.nonZero + 1) * COMPARISON_COST;
}

/** The non-zero values of `from`, in the front of `into`. */
function nonZero(from: Float32Array, into: Float32Array): Float32Array {
  let size = 0;
  for (let i = 0; i < from.length; i++) if (from[i] !== 0) into[size++] = from[i];
  return into.subarray(0, size);
}

/** The extreme values of each sign among non-zero values, and how many there are of each. */
interface SignEnds {
  negatives: number;
  minNeg: number;
  maxNeg: number;
  positives: number;
  minPos: number;
  maxPos: number;
}

function signEnds(t: Float32Array): SignEnds {
  const e = { negatives: 0, minNeg: Infinity, maxNeg: -Infinity, positives: 0, minPos: Infinity, maxPos: -Infinity };
  for (let j = 0; j < t.length; j++) {
    const v = t[j];
    if (v < 0) {
      e.negatives++;
      e.minNeg = Math.min(e.minNeg, v);
      e.maxNeg = Math.max(e.maxNeg, v);
    } else {
      e.positives++;
      e.minPos = Math.min(e.minPos, v);
      e.maxPos = Math.max(e.maxPos, v);
    }
  }
  return e;
}

/**
 * The row m·t when each sign of t keeps its products in one bin, counted at once: the float32 product is monotone
 * in t for a fixed m, so the bins of the two extreme products of a sign bound all of its bins. False (nothing
 * counted) for a row that crosses a bin edge within a sign: it needs the run search over sorted t.
 */
function countUniformRow(counts: Int32Array, m: number, e: SignEnds, { scale, shift, low, high }: Rule): boolean {
  const neg = e.negatives ? binOfProduct(m, e.minNeg, scale, shift, low, high) : -1;
  if (e.negatives && neg !== binOfProduct(m, e.maxNeg, scale, shift, low, high)) return false;
  const pos = e.positives ? binOfProduct(m, e.minPos, scale, shift, low, high) : -1;
  if (e.positives && pos !== binOfProduct(m, e.maxPos, scale, shift, low, high)) return false;
  if (e.negatives) counts[neg] += e.negatives;
  if (e.positives) counts[pos] += e.positives;
  return true;
}

/** Reusable buffers and the hints of the two directions. */
class Workspace {
  private readonly buffers = new Map<string, Float32Array>();
  readonly hintUp: Int32Array;
  readonly hintDown: Int32Array;
  constructor(bins: number) {
    this.hintUp = new Int32Array(bins + 1);
    this.hintDown = new Int32Array(bins + 1);
  }
  buffer(name: string, size: number): Float32Array {
    const held = this.buffers.get(name);
    if (held !== undefined && held.length >= size) return held;
    const made = new Float32Array(size);
    this.buffers.set(name, made);
    return made;
  }
}

/**
 * All products rows[i]·cols[j] of one example (finite factors, monotone rule). A zero factor makes a (signed)
 * zero product, in bin(0). Rows whose products stay in one bin per sign of cols (most rows: products are mostly
 * small) are counted from the extremes of cols; only the others are sorted and counted by runs.
 */
function countExample(counts: Int32Array, rows: Float32Array, cols: Float32Array, w: Workspace, rule: Rule): void {
  const t = nonZero(cols, w.buffer('cols', cols.length));
  const all = nonZero(rows, w.buffer('rows', rows.length));
  counts[binOfProduct(0, 0, rule.scale, rule.shift, rule.low, rule.high)] += rows.length * cols.length - all.length * t.length;
  if (t.length === 0 || all.length === 0) return;
  const ends = signEnds(t);
  let wide = 0;
  for (let i = 0; i < all.length; i++) if (!countUniformRow(counts, all[i], ends, rule)) all[wide++] = all[i];
  if (wide === 0) return;
  const m = sortFinite(all.subarray(0, wide));
  sortFinite(t);
  const q = t.length;
  // (−t) reversed is ascending, and a·t[q − 1 − j] = |a|·(−t[q − 1 − j]) exactly.
  const mirrored = w.buffer('mirrored', q);
  for (let j = 0; j < q; j++) mirrored[j] = -t[q - 1 - j];
  const split = m.findIndex((v) => v > 0);
  const negatives = split < 0 ? m.length : split;
  // |a| in increasing order: the negative multipliers from the last one down.
  const down = w.buffer('down', negatives);
  for (let i = 0; i < negatives; i++) down[i] = -m[negatives - 1 - i];
  countRows(counts, down.subarray(0, negatives), mirrored.subarray(0, q), w.hintDown, rule);
  countRows(counts, m.subarray(negatives), t, w.hintUp, rule);
}

/**
 * counts[bin(fl32(a[n, i]·d[n, j]))]++ over all n, i, j. The run search needs the bin to be monotone in the
 * product and no NaN among the products: true for finite factors and a finite, non-degenerate range; any other
 * example is counted directly (where NaN products are skipped, as binCounts does). Each example sorts the factor
 * whose rows cross fewer bin edges in all.
 */
export function countOuterProducts(counts: Int32Array, a: Float32Array, d: Float32Array, n: number, axis: Axis): void {
  const p = a.length / n;
  const q = d.length / n;
  if (p === 0 || q === 0) return;
  const rule = binParameters(axis);
  // Bins non-decreasing in the product: a range given as (hi, lo) reverses them.
  const monotoneRule = Number.isFinite(rule.scale) && rule.scale > 0 && Number.isFinite(rule.shift);
  const workspace = new Workspace(axis.bins);
  for (let e = 0; e < n; e++) {
    const rowA = a.subarray(e * p, (e + 1) * p);
    const rowD = d.subarray(e * q, (e + 1) * q);
    const sa = summary(rowA);
    const sd = summary(rowD);
    const costRowsOfA = runCost(sa, sd, rule.scale);
    const costRowsOfD = runCost(sd, sa, rule.scale);
    const finite = Number.isFinite(sa.sumAbs) && Number.isFinite(sd.sumAbs);
    if (!(monotoneRule && finite) || p * q <= Math.min(costRowsOfA, costRowsOfD) + p + q) countDirectly(counts, rowA, rowD, rule);
    else if (costRowsOfA <= costRowsOfD) countExample(counts, rowA, rowD, workspace, rule);
    else countExample(counts, rowD, rowA, workspace, rule);
  }
}
