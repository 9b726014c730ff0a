export * from './script.js';
export * from './executor.js';
export * from './cli.js';
export * from './stream.js';
