// JSON as Python's json module reads and writes it (DeepOBS result files, Cockpit logs): ints and floats kept apart,
// bare NaN / Infinity, repr floats, ensure_ascii strings, Python's layouts.
export * from './value.js';
export * from './float-repr.js';
export * from './parse.js';
export * from './dump.js';
