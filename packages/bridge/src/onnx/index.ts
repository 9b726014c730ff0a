export * from './evaluate.js';
export * from './evaluator.js';
export * from './deepobs-split.js';
