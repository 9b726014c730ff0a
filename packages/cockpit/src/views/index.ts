export * from './model.js';
export * from './load.js';
export * from './specs/index.js';
export * from './render/index.js';
export * from './dashboard/index.js';
