export * from './types.js';
export * from './losses.js';
export { classifierInstance, Initializers, modelParameters, reseedDropout } from './sequential.js';
export { beale, branin, rosenbrock, quadraticHessian } from './noisy-functions.js';
export * from './registry.js';
