export * from './settings.js';
export * from './collect.js';
export * from './table.js';
export * from './profiles.js';
export * from './charts.js';
export * from './render.js';
export * from './report.js';
