// A replacement that handles only some cases hands the rest to the kernel it replaced, kept here when
// registerMissingKernels swaps it out.
import type * as tf from '@tensorflow/tfjs';

const replaced = new Map<string, tf.KernelConfig>();

/** Keeps the first kernel replaced under this name: later ones may be wrappers around a replacement. */
export function rememberStockKernel(config: tf.KernelConfig): void {
  const key = `${config.backendName}/${config.kernelName}`;
  if (!replaced.has(key)) replaced.set(key, config);
}

/** The stock kernel that `replacement` took the place of. */
export function stockKernelFor(replacement: tf.KernelConfig): tf.KernelFunc {
  const stock = replaced.get(`${replacement.backendName}/${replacement.kernelName}`);
  if (!stock) throw new Error(`${replacement.kernelName} on ${replacement.backendName}: the stock kernel was not kept at registration`);
  return stock.kernelFunc;
}
