// MaxPoolGrad for wasm: the stock kernel is about 25× slower than the max pool itself (see the platform notes).
// One pass over the pooling windows, channels innermost so that reads stay contiguous in NHWC.
import * as tf from '@tensorflow/tfjs';
import { withHeapViews } from './wasm-heap.js';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * dx receives dy at the first maximum of each window in row-major order (the cpu backend's choice, which matters
 * for ties such as all-zero windows after a ReLU); a window with no finite maximum passes nothing.
 */
function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
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
  const { out, outValues: dx, inputValues } = withHeapViews(backend, { shape: input.shape, dtype: 'float32' }, [
    dy,
    input,
  ]);
  const [dyValues, x] = inputValues as [Float32Array, Float32Array];
  const { top, left } = info.padInfo;
  const maxValue = new Float32Array(channels);
  const maxIndex = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - top;
      const rMin = Math.max(0, rCorner);
      const rMax = Math.min(inHeight, rCorner + filterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * strideWidth - left;
        const cMin = Math.max(0, cCorner);
        const cMax = Math.min(inWidth, cCorner + filterWidth);
        maxValue.fill(-Infinity);
        maxIndex.fill(-1);
        for (let xR = rMin; xR < rMax; xR++) {
          for (let xC = cMin; xC < cMax; xC++) {
            const base = ((b * inHeight + xR) * inWidth + xC) * channels;
            for (let d = 0; d < channels; d++) {
              const v = x[base + d]!;
              if (v > maxValue[d]!) {
                maxValue[d] = v;
                maxIndex[d] = base + d;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + yR) * outWidth + yC) * channels;
        for (let d = 0; d < channels; d++) {
          const at = maxIndex[d]!;
          if (at >= 0) dx[at] += dyValues[dyBase + d]!;
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
