// outerBinCounts as a kernel of the cpu and wasm backends, over the backend's own memory (the counting itself is
// outer-products-counting.ts).
import * as tf from '@tensorflow/tfjs';
import { registerJsKernel, withBackendViews } from '@flightdeck/core';
import { type Axis, binCounts } from './bin-counts.js';
import { countOuterProducts } from './outer-products-counting.js';

const KERNEL = 'FlightdeckOuterBinCounts';

interface OuterBinCountsAttrs {
  axis: Axis;
}

function outerBinCountsKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { axis } = attrs as unknown as OuterBinCountsAttrs;
  const a = inputs.a as tf.TensorInfo;
  const { out, outValues, inputValues: [av, dv] } = withBackendViews(backend, { shape: [axis.bins], dtype: 'int32' }, [a, inputs.d as tf.TensorInfo]);
  countOuterProducts(outValues as Int32Array, av as Float32Array, dv as Float32Array, a.shape[0]!, axis);
  return out;
}

registerJsKernel(KERNEL, outerBinCountsKernel);

/**
 * int32 counts per bin ([bins]) of every entry of the outer products a_n d_nᵀ, for a [N, p] and d [N, q]: equal to
 * binCounts of the materialised [N, p, q] products. Backends without the kernel materialise them.
 */
export function outerBinCounts(a: tf.Tensor2D, d: tf.Tensor2D, axis: Axis): tf.Tensor1D {
  if (a.shape[0] !== d.shape[0]) throw new Error(`outerBinCounts: ${a.shape[0]} rows of a against ${d.shape[0]} rows of d`);
  if (a.dtype !== 'float32' || d.dtype !== 'float32') throw new Error(`outerBinCounts: float32 factors expected, got ${a.dtype} and ${d.dtype}`);
  if (!tf.getKernel(KERNEL, tf.getBackend())) {
    return tf.tidy(() => binCounts(tf.mul(tf.expandDims(a, 2), tf.expandDims(d, 1)), axis));
  }
  return tf.engine().runKernel(KERNEL, { a, d } as unknown as tf.NamedTensorMap, { axis } as unknown as tf.NamedAttrMap) as tf.Tensor1D;
}
