// Reading and writing tensors in the memory of the cpu and wasm backends, for the engine's JS kernels.
import type * as tf from '@tensorflow/tfjs';

/** The float32 values of a tensor where the backend keeps them (no copy). */
export function valuesOf(backend: unknown, t: tf.TensorInfo): Float32Array {
  const b = backend as { typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array; data?: { get(id: unknown): { values: Float32Array } } };
  return b.typedArrayFromHeap ? b.typedArrayFromHeap(t) : b.data!.get(t.dataId).values;
}

/** A new int32 tensor on the backend holding `values`. */
export function output(backend: unknown, values: Int32Array): tf.TensorInfo {
  const b = backend as {
    typedArrayFromHeap?: (t: tf.TensorInfo) => Int32Array;
    makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Int32Array): tf.TensorInfo;
  };
  if (!b.typedArrayFromHeap) return b.makeTensorInfo([values.length], 'int32', values);
  // wasm: allocated only now, after the input views were read (an allocation can grow the heap and detach them).
  const out = b.makeOutput([values.length], 'int32');
  b.typedArrayFromHeap(out).set(values);
  return out;
}

/**
 * A new float32 tensor on the backend and its values to fill. On wasm it lives in the heap: make it before taking
 * views of the inputs (an allocation can grow the heap and detach them).
 */
export function floatOutput(backend: unknown, shape: number[]): { info: tf.TensorInfo; values: Float32Array } {
  const b = backend as {
    typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array;
    makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  if (b.typedArrayFromHeap) {
    const info = b.makeOutput(shape, 'float32');
    return { info, values: b.typedArrayFromHeap(info) };
  }
  const values = new Float32Array(shape.reduce((x, y) => x * y, 1));
  return { info: b.makeTensorInfo(shape, 'float32', values), values };
}
