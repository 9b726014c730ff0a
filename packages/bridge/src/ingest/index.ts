export * from './server.js';
export * from './stats.js';
export * from './sequencer.js';
export * from './curve.js';
export * from './address.js';
export * from './packed.js';
