export * from './store-fanout-sink.js';
