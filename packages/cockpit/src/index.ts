// @flightdeck/cockpit public API
export * from './log/index.js';
