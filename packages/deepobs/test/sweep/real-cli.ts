import { join } from 'node:path';

/** The real `deepobs` executable from its TypeScript sources (no build), as a `--runner` command line. */
export const REAL_DEEPOBS = `${process.execPath} -r ${join(__dirname, '..', '..', '..', '..', 'tools', 'ts-register.cjs')} ${join(__dirname, '..', '..', 'src', 'cli', 'main.ts')}`;
