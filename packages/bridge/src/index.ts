// @flightdeck/bridge public API
export * from './ingest/index.js';
export * from './client/index.js';
export * from './bridge/index.js';
export * from './onnx/index.js';
export * from './cli/program.js';
