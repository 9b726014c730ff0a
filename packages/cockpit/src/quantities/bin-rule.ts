// The binning rule every histogram of Cockpit shares (torch.histc's and Cockpit's histogram2d's), and its plain
// counting loops over typed arrays. No tfjs here: the counting thread runs these loops too.

export type Range = readonly [number, number];

/** One histogram axis. `clamp`: "edges" is torch.histc (outliers into the edge bins, x = hi into the last); "centres" is GradHist2d's (values clamped to [lo + w/2, hi − w/2]). */
export interface Axis {
  range: Range;
  bins: number;
  clamp: 'edges' | 'centres';
}

export function sameAxis(a: Axis, b: Axis): boolean {
  return a.bins === b.bins && a.clamp === b.clamp && a.range[0] === b.range[0] && a.range[1] === b.range[1];
}

/** The axes of a joint histogram of pairs (x, y): counts are row-major [x bin, y bin]. */
export interface JointAxes {
  x: Axis;
  y: Axis;
}

export function sameJointAxes(a: JointAxes, b: JointAxes): boolean {
  return sameAxis(a.x, b.x) && sameAxis(a.y, b.y);
}

/**
 * The bin coordinate of v is (v − lo)/(hi − lo)·bins, computed as v·scale + shift in float64, clamped to
 * [low, high] and truncated. The shift (−lo)/(hi − lo)·bins is exact for a symmetric range, so v = 0 (every
 * inactive ReLU's gradient) lands on exactly bins/2 as in the original's float64 arithmetic; rounding it just
 * below would move them all one bin down. "edges" (torch.histc) clamps the value to [lo, hi] with x = hi in the
 * last bin: the coordinate to [0, bins − 1]. "centres" (Cockpit's histogram2d) clamps to the centres of the edge
 * bins: [0.5, bins − 0.5].
 */
export function binParameters({ range: [lo, hi], bins, clamp }: Axis): { scale: number; shift: number; low: number; high: number } {
  const [low, high] = clamp === 'edges' ? [0, bins - 1] : [0.5, bins - 0.5];
  return { scale: bins / (hi - lo), shift: ((0 - lo) / (hi - lo)) * bins, low, high };
}

/** The bin of every value, as the pair count takes them for y (NaN lands in bin 0). */
export function binIndices(values: Float32Array, axis: Axis): Int32Array {
  const { scale, shift, low, high } = binParameters(axis);
  const bins = new Int32Array(values.length);
  for (let k = 0; k < values.length; k++) bins[k] = Math.min(Math.max(values[k] * scale + shift, low), high) | 0;
  return bins;
}

/**
 * counts[bin(x_k)]++ for every value; NaN skipped. The hot loops clamp with Math.min/Math.max, which V8 compiles
 * to branch-free instructions: a conditional clamp mispredicts on gradients and was about five times slower.
 * Gradients mostly fall in one or two bins, so consecutive values go to four copies of the counts in turn: with one,
 * each increment waited for the previous one's store (4 ns a value on 5.8 M conv gradients, 3 ns with four copies).
 */
export function countValues(counts: Int32Array, x: Float32Array, axis: Axis): void {
  const { scale, shift, low, high } = binParameters(axis);
  const bins = counts.length;
  const copies = new Int32Array(4 * bins);
  const n4 = x.length - (x.length % 4);
  for (let k = 0; k < n4; k += 4) {
    const c0 = x[k] * scale + shift;
    const c1 = x[k + 1] * scale + shift;
    const c2 = x[k + 2] * scale + shift;
    const c3 = x[k + 3] * scale + shift;
    if (c0 === c0) copies[Math.min(Math.max(c0, low), high) | 0]++;
    if (c1 === c1) copies[bins + (Math.min(Math.max(c1, low), high) | 0)]++;
    if (c2 === c2) copies[2 * bins + (Math.min(Math.max(c2, low), high) | 0)]++;
    if (c3 === c3) copies[3 * bins + (Math.min(Math.max(c3, low), high) | 0)]++;
  }
  for (let k = n4; k < x.length; k++) {
    const c = x[k] * scale + shift;
    if (c === c) copies[Math.min(Math.max(c, low), high) | 0]++;
  }
  for (let b = 0; b < bins; b++) counts[b] += copies[b] + copies[bins + b] + copies[2 * bins + b] + copies[3 * bins + b];
}

/** counts[bin(x[n, j])·yBins + yBin[j]]++ over every row n of x. */
export function countPairs(counts: Int32Array, x: Float32Array, axis: Axis, yBins: number, yBin: Int32Array): void {
  const { scale, shift, low, high } = binParameters(axis);
  const size = yBin.length;
  for (let start = 0; start < x.length; start += size) {
    for (let j = 0; j < size; j++) {
      const c = x[start + j] * scale + shift;
      if (c === c) counts[(Math.min(Math.max(c, low), high) | 0) * yBins + yBin[j]]++;
    }
  }
}
