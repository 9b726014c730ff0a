export * from './types.js';
export * from './errors.js';
export * from './augment.js';
export * from './formats/idx.js';
export * from './formats/records.js';
export * from './formats/npy.js';
export * from './sources.js';
export * from './datasets.js';
