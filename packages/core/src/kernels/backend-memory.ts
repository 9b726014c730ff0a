// Kernels written in JS read and write tensors where the cpu and wasm backends keep them, without copies: the wasm
// backend in its heap, the cpu backend in typed arrays of its own.
import * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array | Uint8Array;

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(tensor: tf.TensorInfo): TypedArray;
}

interface CpuBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: TypedArray): tf.TensorInfo;
  data: { get(dataId: unknown): { values: TypedArray } };
}

function isWasm(backend: unknown): backend is WasmBackend {
  return typeof (backend as Partial<WasmBackend>).typedArrayFromHeap === 'function';
}

/**
 * A zero-filled output tensor and views of the output and the inputs' values (numeric tensors). On wasm
 * the output is allocated first and the input views taken after: allocation can grow the heap, which detaches every
 * view taken before it.
 */
export function withBackendViews(
  backend: unknown,
  output: { shape: number[]; dtype: tf.DataType },
  inputs: tf.TensorInfo[],
): { out: tf.TensorInfo; outValues: TypedArray; inputValues: TypedArray[] } {
  const { outs, outValues, inputValues } = withBackendViewsOfMany(backend, [output], inputs);
  return { out: outs[0]!, outValues: outValues[0]!, inputValues };
}

/** withBackendViews for a kernel with several outputs (all allocated before any view is taken). */
export function withBackendViewsOfMany(
  backend: unknown,
  outputs: { shape: number[]; dtype: tf.DataType }[],
  inputs: tf.TensorInfo[],
): { outs: tf.TensorInfo[]; outValues: TypedArray[]; inputValues: TypedArray[] } {
  if (isWasm(backend)) {
    const outs = outputs.map((o) => backend.makeOutput(o.shape, o.dtype));
    const outValues = outs.map((out) => backend.typedArrayFromHeap(out));
    outValues.forEach((v) => v.fill(0));
    return { outs, outValues, inputValues: inputs.map((t) => backend.typedArrayFromHeap(t)) };
  }
  const cpu = backend as CpuBackend;
  const outValues = outputs.map(({ shape, dtype }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return dtype === 'int32' ? new Int32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size);
  });
  const outs = outputs.map((o, k) => cpu.makeTensorInfo(o.shape, o.dtype, outValues[k]!));
  return { outs, outValues, inputValues: inputs.map((t) => cpu.data.get(t.dataId).values) };
}

/** Registers a JS kernel written with withBackendViews on the backends it serves (cpu, wasm), once. */
export function registerJsKernel(kernelName: string, kernelFunc: (args: Parameters<tf.KernelFunc>[0]) => tf.TensorInfo | tf.TensorInfo[]): void {
  for (const backendName of ['cpu', 'wasm']) {
    if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as tf.KernelFunc });
  }
}
