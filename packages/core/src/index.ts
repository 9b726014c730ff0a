// @flightdeck/core: the schema and its codecs, streams, the run store, DeepOBS JSON I/O, tfjs backend selection,
// seeded random numbers and statistics.
export * from './schema/index.js';
export * from './schema/value.js';
export * from './codec/errors.js';
export * from './codec/limits.js';
export * from './codec/validate.js';
export * from './codec/codec.js';
export * from './stream/types.js';
export * from './stream/fanout.js';
export * from './stream/run-stream.js';
export * from './framing/index.js';
export * from './store/index.js';
export * from './random/rng.js';
export * from './stats/stats.js';
export * from './backend/backend.js';
export * from './pyjson/index.js';
export * from './deepobs-json/index.js';
export { transposeLast } from './kernels/transpose-last.js';
export { unstackRows } from './kernels/unstack-rows.js';
export { registerJsKernel, withBackendViews, withBackendViewsOfMany } from './kernels/backend-memory.js';
