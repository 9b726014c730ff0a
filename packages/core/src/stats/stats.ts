// Small statistics shared by the packages. Every function takes plain numbers and says its conventions.

type Numbers = ArrayLike<number>;

export function sum(xs: Numbers): number {
  // Neumaier summation: long learning curves and histograms are summed without drift.
  let s = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

export function mean(xs: Numbers): number {
  if (xs.length === 0) throw new RangeError('mean of an empty list');
  return sum(xs) / xs.length;
}

/** Variance with `ddof` delta degrees of freedom: ddof 0 is the population variance, ddof 1 the unbiased one (numpy's convention). */
export function variance(xs: Numbers, ddof: number): number {
  const n = xs.length;
  if (n - ddof <= 0) throw new RangeError(`variance needs more than ${ddof} values, got ${n}`);
  const m = mean(xs);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = (xs[i] - m) ** 2;
  return sum(d) / (n - ddof);
}

export function std(xs: Numbers, ddof: number): number {
  return Math.sqrt(variance(xs, ddof));
}

/** Quantile with linear interpolation between order statistics (numpy's default "linear" method); q in [0, 1]. */
export function quantile(xs: Numbers, q: number): number {
  if (xs.length === 0) throw new RangeError('quantile of an empty list');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const s = Float64Array.from(xs).sort();
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

export function median(xs: Numbers): number {
  return quantile(xs, 0.5);
}

export interface Histogram {
  /** bins + 1 strictly increasing edges. */
  edges: number[];
  counts: number[];
}

/**
 * Histogram with `bins` equal bins over [lo, hi]: bin i holds [edges[i], edges[i+1]), the last bin also holds hi.
 * Values outside [lo, hi] or NaN are not counted unless `clamp` is set, which puts them in the first or last bin.
 */
export function histogram(xs: Numbers, bins: number, lo: number, hi: number, clamp = false): Histogram {
  if (!(bins >= 1) || !Number.isInteger(bins)) throw new RangeError(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) throw new RangeError(`histogram: need finite lo < hi, got [${lo}, ${hi}]`);
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
  const counts = new Array<number>(bins).fill(0);
  const scale = bins / (hi - lo);
  for (let i = 0; i < xs.length; i++) {
    let x = xs[i];
    if (Number.isNaN(x)) continue;
    if (x < lo || x > hi) {
      if (!clamp) continue;
      x = x < lo ? lo : hi;
    }
    let b = Math.floor((x - lo) * scale);
    if (b >= bins) b = bins - 1;
    // Arithmetic binning can disagree with the edges by one ulp; the edges are the definition.
    if (b > 0 && x < edges[b]) b--;
    else if (b < bins - 1 && x >= edges[b + 1]) b++;
    counts[b]++;
  }
  return { edges, counts };
}
