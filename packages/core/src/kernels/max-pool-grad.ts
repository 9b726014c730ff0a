// MaxPoolGrad for wasm: the stock kernel is about 25× slower than the max pool itself (see the platform notes).
// One pass over the pooling windows; per channel, the taps of the window are scanned for its known maximum.
import * as tf from '@tensorflow/tfjs';
import { withBackendViews } from './backend-memory.js';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * dx receives dy at the first input equal to the window's maximum (the forward output, which the gradient is given)
 * in row-major order: the cpu backend's choice, which matters for ties such as all-zero windows after a ReLU. A
 * window whose maximum is not finite passes nothing. Comparing with the known maximum instead of searching for
 * it keeps the branches predictable.
 */
function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, input, output } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo; output: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { out, outValues: dx, inputValues } = withBackendViews(backend, { shape: input.shape, dtype: 'float32' }, [
    dy,
    input,
    output,
  ]);
  const [dyValues, x, maxima] = inputValues as [Float32Array, Float32Array, Float32Array];
  const { top, left } = info.padInfo;
  const taps = new Int32Array(filterHeight * filterWidth);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - top;
      const rMin = Math.max(0, rCorner);
      const rMax = Math.min(inHeight, rCorner + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * strideWidth - left;
        const cMin = Math.max(0, cCorner);
        const cMax = Math.min(inWidth, cCorner + filterWidth);
        let tapCount = 0;
        for (let xR = rMin; xR < rMax; xR++) {
          for (let xC = cMin; xC < cMax; xC++) taps[tapCount++] = ((b * inHeight + xR) * inWidth + xC) * channels;
        }
        const outBase = ((b * outHeight + yR) * outWidth + yC) * channels;
        for (let d = 0; d < channels; d++) {
          const maximum = maxima[outBase + d]!;
          if (!Number.isFinite(maximum)) continue;
          for (let k = 0; k < tapCount; k++) {
            const at = taps[k]! + d;
            if (x[at] === maximum) {
              dx[at] += dyValues[outBase + d]!;
              break;
            }
          }
        }
      }
    }
  }
  return out;
}

export const maxPoolGradWasm: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as tf.KernelFunc,
};
