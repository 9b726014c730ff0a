// @flightdeck/deepobs public API
export * from './analyzer/index.js';
