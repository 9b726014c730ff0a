// BatchMatMul for wasm: the stock kernel is 5–35× slower with a transpose flag set (the layout every matMul
// gradient asks for) than an explicit transpose followed by a plain product.
import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes. */
function transposeLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm.splice(-2, 2, t.rank - 1, t.rank - 2);
  return tf.transpose(t, perm);
}

/**
 * Plain products go to wasm's _FusedMatMul (the same XNNPACK product as the stock BatchMatMul, here without bias
 * or activation); calling BatchMatMul from inside would come back to this kernel.
 */
function batchMatMul({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): tf.Tensor {
  const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
  const a = inputs.a as tf.Tensor;
  const b = inputs.b as tf.Tensor;
  return tf.tidy(() =>
    tf.fused.matMul({ a: transposeA ? transposeLastTwo(a) : a, b: transposeB ? transposeLastTwo(b) : b }),
  );
}

export const batchMatMulWasm: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};
