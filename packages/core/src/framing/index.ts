export * from './frame.js';
export * from './read.js';
