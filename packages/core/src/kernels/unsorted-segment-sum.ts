// UnsortedSegmentSum for wasm, which has none: the gradient of gather (embeddings, tolstoi_char_rnn) needs it.
import * as tf from '@tensorflow/tfjs';
import { withBackendViews } from './backend-memory.js';

/** out[s, ...] = Σ_{i: ids[i] = s} x[i, ...]; ids outside [0, numSegments) are dropped, as on the cpu backend. */
function unsortedSegmentSum({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const rows = x.shape[0] ?? 1;
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== rows) {
    throw new Error(`UnsortedSegmentSum: segmentIds of shape [${segmentIds.shape}] must be [${rows}] (x is [${x.shape}])`);
  }
  const { out, outValues, inputValues } = withBackendViews(
    backend,
    { shape: [numSegments, ...x.shape.slice(1)], dtype: x.dtype },
    [x, segmentIds],
  );
  const [xs, ids] = inputValues as [Float32Array | Int32Array, Int32Array | Float32Array];
  for (let i = 0; i < rows; i++) {
    const s = ids[i]!;
    if (!(s >= 0 && s < numSegments)) continue;
    const from = i * rowSize;
    const to = s * rowSize;
    for (let j = 0; j < rowSize; j++) outValues[to + j] += xs[from + j]!;
  }
  return out;
}

export const unsortedSegmentSumWasm: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as tf.KernelFunc,
};
