export * from './space.js';
export * from './gp.js';
export * from './tuner.js';
