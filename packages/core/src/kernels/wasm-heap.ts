// The wasm backend keeps tensors in its heap; kernels written in JS read and write them there without copies.
import type * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array | Uint8Array;

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): TypedArray;
}

/**
 * Allocates the output first and only then takes views of the inputs: allocation can grow the heap, which
 * detaches every view taken before it.
 */
export function withHeapViews(
  backend: unknown,
  output: { shape: number[]; dtype: tf.DataType },
  inputs: tf.TensorInfo[],
): { out: tf.TensorInfo; outValues: TypedArray; inputValues: TypedArray[] } {
  const wasm = backend as WasmHeapBackend;
  const out = wasm.makeOutput(output.shape, output.dtype);
  const outValues = wasm.typedArrayFromHeap(out);
  outValues.fill(0);
  return { out, outValues, inputValues: inputs.map((t) => wasm.typedArrayFromHeap(t)) };
}
