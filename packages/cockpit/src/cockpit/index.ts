export * from './cockpit.js';
