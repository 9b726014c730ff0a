// unstackRows: tf.unstack along the first axis, as one JS pass over the backend's memory on cpu and wasm. tfjs-wasm
// slices in JS index arithmetic: unstacking 128 × 576 × 144 values took 3.2 s there, and downloading the tensor to
// make the pieces again from host arrays 30 ms (two copies through the host); this copies each piece once.
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, withBackendViewsOfMany } from './backend-memory.js';

const KERNEL = 'FlightdeckUnstackRows';

function unstackRowsKernel({ inputs, backend }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const x = inputs.x as tf.TensorInfo;
  const [rows, ...shape] = x.shape;
  const size = shape.reduce((a, b) => a * b, 1);
  const pieces = Array.from({ length: rows! }, () => ({ shape, dtype: x.dtype }));
  const { outs, outValues, inputValues: [values] } = withBackendViewsOfMany(backend, pieces, [x]);
  outValues.forEach((out, r) => out.set(values!.subarray(r * size, (r + 1) * size)));
  return outs;
}

registerJsKernel(KERNEL, unstackRowsKernel);

/** The rows x[0], x[1], … of x (numeric), as tf.unstack(x) gives them. */
export function unstackRows<T extends tf.Tensor>(x: T): tf.Tensor[] {
  if (x.dtype === 'string') throw new Error('unstackRows: numeric tensor expected, got string');
  if (!tf.getKernel(KERNEL, tf.getBackend())) return tf.unstack(x);
  return tf.engine().runKernel(KERNEL, { x } as unknown as tf.NamedTensorMap) as unknown as tf.Tensor[];
}
