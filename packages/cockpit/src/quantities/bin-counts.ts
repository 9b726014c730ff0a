// binCounts: histogram counts of a float32 tensor (or of pairs with a second one) in one pass over the backend's
// own memory, downloading nothing. The cpu and wasm backends get a JS kernel (tfjs's bincount is about ten times
// slower than an elementwise op there, and the tf-op route needs four more passes over inputs of hundreds of MB);
// other backends run the same rule as tfjs ops.
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, withBackendViews } from '@flightdeck/core';

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

const KERNEL = 'FlightdeckBinCounts';

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
function count1d(counts: Int32Array, x: Float32Array, axis: Axis): void {
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
function count2d(counts: Int32Array, x: Float32Array, axis: Axis, yBins: number, yBin: Int32Array): void {
  const { scale, shift, low, high } = binParameters(axis);
  const size = yBin.length;
  for (let start = 0; start < x.length; start += size) {
    for (let j = 0; j < size; j++) {
      const c = x[start + j] * scale + shift;
      if (c === c) counts[(Math.min(Math.max(c, low), high) | 0) * yBins + yBin[j]]++;
    }
  }
}

interface BinCountsAttrs {
  x: Axis;
  y?: Axis;
}

function binCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x: xAxis, y: yAxis } = attrs as unknown as BinCountsAttrs;
  const pair = yAxis === undefined ? [] : [inputs.y as tf.TensorInfo];
  // int32: a float32 count stops growing at 2^24, and one bin can hold all the zeros of a large layer.
  const { out, outValues, inputValues: [x, y] } = withBackendViews(backend, { shape: [xAxis.bins * (yAxis?.bins ?? 1)], dtype: 'int32' }, [inputs.x as tf.TensorInfo, ...pair]);
  const counts = outValues as Int32Array;
  // x is [N, size]; a y [size] pairs with every row.
  if (yAxis === undefined) count1d(counts, x as Float32Array, xAxis);
  else count2d(counts, x as Float32Array, xAxis, yAxis.bins, binIndices(y as Float32Array, yAxis));
  return out;
}

registerJsKernel(KERNEL, binCountsKernel);

/** The same rule as tfjs ops (in float32) for backends without the kernel. */
function binIndexOps(v: tf.Tensor, axis: Axis): tf.Tensor {
  const { scale, shift, low, high } = binParameters(axis);
  // Non-negative after clamping, so the cast's truncation is the floor.
  return tf.cast(tf.clipByValue(tf.add(tf.mul(tf.reshape(v, [-1]), scale), shift), low, high), 'int32');
}

function binCountsOps(x: tf.Tensor, y: tf.Tensor | undefined, xAxis: Axis, yAxis: Axis | undefined): tf.Tensor1D {
  return tf.tidy(() => {
    let index = binIndexOps(x, xAxis);
    if (y !== undefined && yAxis !== undefined) {
      index = tf.add(tf.mul(tf.reshape(index, [-1, y.size]), tf.scalar(yAxis.bins, 'int32')), tf.reshape(binIndexOps(y, yAxis), [1, y.size]));
    }
    return tf.bincount(tf.reshape(index, [-1]) as tf.Tensor1D, tf.tensor1d([], 'int32'), xAxis.bins * (yAxis?.bins ?? 1));
  });
}

/**
 * int32 counts of x per bin ([xBins]), or of the pairs (x[n, j], y[j]) over every row n of x ([xBins·yBins],
 * row-major [x bin, y bin]).
 */
export function binCounts(x: tf.Tensor, xAxis: Axis, pair?: { y: tf.Tensor; axis: Axis }): tf.Tensor1D {
  if (pair !== undefined && x.size % pair.y.size !== 0) throw new Error(`binCounts: ${x.size} values do not pair with ${pair.y.size}`);
  if (!tf.getKernel(KERNEL, tf.getBackend())) return binCountsOps(x, pair?.y, xAxis, pair?.axis);
  const inputs = pair ? { x, y: pair.y } : { x };
  const attrs = { x: xAxis, ...(pair ? { y: pair.axis } : {}) };
  return tf.engine().runKernel(KERNEL, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
