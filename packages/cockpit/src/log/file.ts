// The Cockpit log as text and as a file.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { dumpPythonJson, parsePythonJson, sortedKeys, type Envelope, type PyJson } from '@flightdeck/core';
import { recordsToCockpitLog, type CockpitLog, type LogRecord, type WriteOptions } from './convert.js';
import { LogFormatError } from './errors.js';

const STEP_KEY = /^(0|[1-9]\d*)$/;

/** Parses a log's text (bare NaN/Infinity accepted); `source` (the file name) prefixes every error. */
export function parseCockpitLog(text: string, source = '<log>'): CockpitLog {
  const root = parsePythonJson(text, { source });
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw new LogFormatError(source, 'a Cockpit log is a JSON object keyed by step');
  const log: CockpitLog = new Map();
  for (const [key, entry] of Object.entries(root)) {
    if (!STEP_KEY.test(key)) throw new LogFormatError(`${source} "${key}"`, 'top-level keys must be global steps (non-negative integers)');
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new LogFormatError(`${source} "${key}"`, 'each step must map keys to values');
    log.set(Number(key), entry as { [key: string]: PyJson });
  }
  return log;
}

/** The log's text exactly as the original writes it: json_tricks, indent 4, sorted keys (steps in numeric order), no final newline. */
export function formatCockpitLog(log: CockpitLog): string {
  const root: { [key: string]: PyJson } = {};
  for (const [step, entry] of log) root[String(step)] = entry;
  return dumpPythonJson(root, {
    indent: 4,
    // The original's step keys are Python ints, which sort_keys orders numerically.
    keyOrder: (keys, depth) => (depth === 0 ? [...keys].sort((a, b) => Number(a) - Number(b)) : sortedKeys(keys, depth)),
  });
}

export async function readCockpitLogFile(path: string): Promise<CockpitLog> {
  return parseCockpitLog(await readFile(path, 'utf8'), path);
}

/**
 * Writes the records as the original Cockpit's log to exactly `path` (the original's `write(p)` appends ".json";
 * callers that mimic it pass `p + ".json"`). Creates the directory.
 */
export async function writeCockpitLogFile(path: string, records: Iterable<Envelope | LogRecord>, options: WriteOptions = {}): Promise<void> {
  const text = formatCockpitLog(recordsToCockpitLog(records, options));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
