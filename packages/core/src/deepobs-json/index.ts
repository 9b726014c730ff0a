// DeepOBS result files (1.1 and 1.2): the typed result, folder naming, files, envelopes.
export * from './float2str.js';
export * from './result.js';
export * from './layout.js';
export * from './files.js';
export * from './envelopes.js';
