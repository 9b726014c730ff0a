// @flightdeck/cockpit public API
export * from './engine/index.js';
export * from './log/index.js';
export * from './schedules/index.js';
export * from './quantities/index.js';
export * from './presets/index.js';
export * from './views/index.js';
export * from './cli/index.js';
