export * from './spec.js';
export * from './detect.js';
export * from './executor.js';
export * from './run-sweep.js';
export * from './run-one.js';
export * from './command.js';
export * from './in-process.js';
