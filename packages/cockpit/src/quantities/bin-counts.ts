// binCounts: histogram counts of a float32 tensor (or of pairs with a second one) in one pass over the backend's
// own memory, downloading nothing. The cpu and wasm backends get a JS kernel (tfjs's bincount is about ten times
// slower than an elementwise op there, and the tf-op route needs four more passes over inputs of hundreds of MB);
// other backends run the same rule as tfjs ops.
import * as tf from '@tensorflow/tfjs';

export type Range = readonly [number, number];

/** One histogram axis. `clamp`: "edges" is torch.histc (outliers into the edge bins, x = hi into the last); "centres" is GradHist2d's (values clamped to [lo + w/2, hi − w/2]). */
export interface Axis {
  range: Range;
  bins: number;
  clamp: 'edges' | 'centres';
}

const KERNEL = 'FlightdeckBinCounts';

/**
 * The bin of v in float64: the coordinate (v − lo)/(hi − lo)·bins, floored. Dividing first (the original
 * multiplies first) keeps v = 0 in a symmetric range on exactly bins/2, where every inactive ReLU's gradient sits;
 * multiplying first rounds it just below bins/2 for some adapted ranges and moves all of them one bin down.
 */
function binFunction({ range: [lo, hi], bins, clamp }: Axis): (v: number) => number {
  const coordinate = (v: number) => ((v - lo) / (hi - lo)) * bins;
  if (clamp === 'edges') {
    // torch.histc: clamped to [lo, hi], x = hi into the last bin.
    return (v) => (v < lo ? 0 : v >= hi ? bins - 1 : Math.min(Math.floor(coordinate(v)), bins - 1));
  }
  // Cockpit's histogram2d: clamped to the centres of the edge bins.
  return (v) => {
    const c = coordinate(v);
    return Math.floor(c < 0.5 ? 0.5 : c > bins - 0.5 ? bins - 0.5 : c);
  };
}

interface BinCountsAttrs {
  x: Axis;
  y?: Axis;
}

/** The float32 values of a tensor where the backend keeps them (no copy). */
function valuesOf(backend: unknown, t: tf.TensorInfo): Float32Array {
  const b = backend as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array; data?: { get(id: unknown): { values: Float32Array } } };
  return b.typedArrayFromHeap ? b.typedArrayFromHeap(t) : b.data!.get(t.dataId).values;
}

function binCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x: xAxis, y: yAxis } = attrs as unknown as BinCountsAttrs;
  const x = valuesOf(backend, inputs.x as tf.TensorInfo);
  const binX = binFunction(xAxis);
  const counts = new Float32Array(xAxis.bins * (yAxis?.bins ?? 1));
  if (yAxis === undefined) {
    for (let k = 0; k < x.length; k++) counts[binX(x[k])]++;
  } else {
    // x is [N, size]; y [size] pairs with every row.
    const y = valuesOf(backend, inputs.y as tf.TensorInfo);
    const binY = binFunction(yAxis);
    const yBin = Int32Array.from(y, binY);
    const size = y.length;
    for (let k = 0; k < x.length; k++) counts[binX(x[k]) * yAxis.bins + yBin[k % size]]++;
  }
  return output(backend, counts);
}

/** A new float32 tensor on the backend holding `values`. */
function output(backend: unknown, values: Float32Array): tf.TensorInfo {
  const b = backend as {
    typedArrayFromHeap?: unknown;
    makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  if (!b.typedArrayFromHeap) return b.makeTensorInfo([values.length], 'float32', values);
  // wasm: allocated only now, after the input views were read (an allocation can grow the heap and detach them).
  const out = b.makeOutput([values.length], 'float32');
  valuesOf(backend, out).set(values);
  return out;
}

for (const backendName of ['cpu', 'wasm']) {
  if (!tf.getKernel(KERNEL, backendName)) tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc: binCountsKernel as tf.KernelFunc });
}

/**
 * The same rule as tfjs ops for backends without the kernel, in float32: the coordinate is (v − lo)/(hi − lo)·bins
 * computed as v·scale + shift, whose shift is exact for a symmetric range, so v = 0 (every inactive ReLU's
 * gradient) lands on exactly bins/2 as in float64.
 */
function binIndexOps(v: tf.Tensor, { range: [lo, hi], bins, clamp }: Axis): tf.Tensor {
  const coordinate = tf.add(tf.mul(tf.reshape(v, [-1]), bins / (hi - lo)), ((0 - lo) / (hi - lo)) * bins);
  const [low, high] = clamp === 'edges' ? [0, bins - 1] : [0.5, bins - 0.5];
  // Non-negative after clamping, so the cast's truncation is the floor.
  return tf.cast(tf.clipByValue(coordinate, low, high), 'int32');
}

function binCountsOps(x: tf.Tensor, y: tf.Tensor | undefined, xAxis: Axis, yAxis: Axis | undefined): tf.Tensor1D {
  return tf.tidy(() => {
    let index = binIndexOps(x, xAxis);
    if (y !== undefined && yAxis !== undefined) {
      index = tf.add(tf.mul(tf.reshape(index, [-1, y.size]), tf.scalar(yAxis.bins, 'int32')), tf.reshape(binIndexOps(y, yAxis), [1, y.size]));
    }
    return tf.bincount(tf.reshape(index, [-1]) as tf.Tensor1D, tf.tensor1d([], 'float32'), xAxis.bins * (yAxis?.bins ?? 1));
  });
}

/**
 * Counts of x per bin ([xBins]), or of the pairs (x[n, j], y[j]) over every row n of x ([xBins·yBins],
 * row-major [x bin, y bin]).
 */
export function binCounts(x: tf.Tensor, xAxis: Axis, pair?: { y: tf.Tensor; axis: Axis }): tf.Tensor1D {
  if (pair !== undefined && x.size % pair.y.size !== 0) throw new Error(`binCounts: ${x.size} values do not pair with ${pair.y.size}`);
  if (!tf.getKernel(KERNEL, tf.getBackend())) return binCountsOps(x, pair?.y, xAxis, pair?.axis);
  const inputs = pair ? { x, y: pair.y } : { x };
  const attrs = { x: xAxis, ...(pair ? { y: pair.axis } : {}) };
  return tf.engine().runKernel(KERNEL, inputs as unknown as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
