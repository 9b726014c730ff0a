/**
 * Kernels that a tfjs backend lacks or runs too slowly (see the wasm notes in the README), registered once per
 * backend when it is selected. One file per kernel; this file is only the list.
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMulWasm } from './batch-mat-mul.js';
import { conv2DBackpropFilterCpu, conv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasm } from './conv2d-backprop-input.js';
import { maxPoolGradWasm } from './max-pool-grad.js';
import { rememberStockKernel } from './stock-kernels.js';
import { sumWasm } from './sum.js';
import { unsortedSegmentSumWasm } from './unsorted-segment-sum.js';

export const REPLACEMENT_KERNELS: readonly tf.KernelConfig[] = [
  unsortedSegmentSumWasm,
  maxPoolGradWasm,
  conv2DBackpropFilterWasm,
  conv2DBackpropFilterCpu,
  conv2DBackpropInputWasm,
  batchMatMulWasm,
  sumWasm,
];

/**
 * Registers the kernels of REPLACEMENT_KERNELS written for `tfBackendName`, replacing a stock kernel of the same
 * name. Calling it again is harmless.
 */
export function registerMissingKernels(tfBackendName: string): void {
  for (const config of REPLACEMENT_KERNELS) {
    if (config.backendName !== tfBackendName) continue;
    const current = tf.getKernel(config.kernelName, config.backendName);
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current) {
      rememberStockKernel(current);
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
}
