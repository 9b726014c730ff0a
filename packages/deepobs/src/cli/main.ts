#!/usr/bin/env node
// The `deepobs` executable.
import { normalizeDeepobsFlags } from './args.js';
import { processIo } from './io.js';
import { createProgram } from './program.js';

createProgram(processIo)
  .parseAsync(normalizeDeepobsFlags(process.argv))
  .catch((e: Error) => {
    process.stderr.write(`deepobs: ${e.message}\n`);
    process.exitCode = 1;
  });
