// @flightdeck/deepobs public API
export * from './optimizers/index.js';
export * from './schedules/index.js';
export * from './data/download/index.js';
export * from './analyzer/index.js';
export * from './tuning/index.js';
export * from './sweep/index.js';
export * from './sweep/slurm/index.js';
