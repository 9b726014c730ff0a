export * from './script.js';
export * from './executor.js';
export * from './cli.js';
