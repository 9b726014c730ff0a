// DeepOBS result files (1.1 and 1.2): the typed result, Python-compatible JSON, folder naming, files, envelopes.
export * from './python-json.js';
export * from './float2str.js';
export * from './result.js';
export * from './layout.js';
export * from './files.js';
export * from './envelopes.js';
