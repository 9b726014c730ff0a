// @flightdeck/deepobs public API
export * from './optimizers/index.js';
export * from './schedules/index.js';
export * from './data/download/index.js';
export * from './analyzer/index.js';
export * from './tuning/index.js';
export * from './sweep/index.js';
export * from './sweep/slurm/index.js';
export * from './data/index.js';
export * from './problems/index.js';
export * from './runner/index.js';
// commander value parsers whose errors name the flag; the flightdeck command uses them too.
export { finiteNumber, integer, listOf, positiveInteger } from './cli/args.js';
