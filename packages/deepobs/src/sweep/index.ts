export * from './spec.js';
export * from './detect.js';
export * from './executor.js';
export * from './run-sweep.js';
