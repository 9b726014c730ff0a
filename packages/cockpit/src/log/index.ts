export * from './errors.js';
export * from './ndarray.js';
export * from './names.js';
export * from './convert.js';
export * from './file.js';
export * from './envelopes.js';
