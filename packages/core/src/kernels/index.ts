/**
 * Kernels that a tfjs backend lacks or runs too slowly (see the wasm notes in the README), registered once per
 * backend when it is selected.
 */
export function registerMissingKernels(_tfBackendName: string): void {}
