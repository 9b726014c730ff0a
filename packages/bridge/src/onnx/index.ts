export * from './evaluate.js';
export * from './evaluator.js';
