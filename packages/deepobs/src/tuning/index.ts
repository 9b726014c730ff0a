export * from './space.js';
export * from './gp.js';
export * from './tuner.js';
export * from './objective.js';
export * from './command.js';
