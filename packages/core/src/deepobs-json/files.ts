// Reading, writing and finding DeepOBS result files on disk.
import { mkdir, opendir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parseResultPath, resultFileName, settingPath, type ResultFileRef } from './layout.js';
import { checkResult, DeepobsJsonError, formatResult, parseResult, type DeepobsFormat, type DeepobsResult, type ReadResult } from './result.js';

/** Reads one result file of either format. Never throws: a missing, truncated or invalid file is an error naming it. */
export async function readResultFile(path: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { ok: false, error: new DeepobsJsonError(path, `cannot read: ${(e as Error).message}`) };
  }
  return parseResult(text, path);
}

export interface WriteOptions {
  /** Time in the file name (default now). */
  date?: Date;
  /** File format (default the result's own). */
  format?: DeepobsFormat;
}

/**
 * Writes `r` under `outDir` in DeepOBS's layout and returns the file's path. The file appears atomically (written
 * to a temporary name, then renamed), so a reader or a resumed sweep never sees half a result.
 */
export async function writeResultFile(outDir: string, r: DeepobsResult, options: WriteOptions = {}): Promise<string> {
  const format = options.format ?? r.format;
  const dir = join(outDir, ...settingPath(r, format));
  const path = join(dir, resultFileName(r.randomSeed, options.date));
  const text = formatResult(r, format);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
  return path;
}

/**
 * Every `random_seed__*.json` below `root`, found by walking the folders one entry at a time (bounded memory on
 * result trees of any size), in sorted order within each folder so that results are reproducible.
 */
export async function* findResultFiles(root: string): AsyncGenerator<ResultFileRef> {
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    const files: string[] = [];
    const dirs: string[] = [];
    for await (const entry of await opendir(dir)) {
      if (entry.isDirectory()) dirs.push(entry.name);
      else if (entry.isFile() && entry.name.endsWith('.json')) files.push(entry.name);
    }
    for (const f of files.sort()) {
      const path = join(dir, f);
      const ref = parseResultPath(relative(root, path).split(sep), path);
      if (ref) yield ref;
    }
    stack.push(...dirs.sort().reverse().map((d) => join(dir, d)));
  }
}

/** DeepOBS `check_output` over a results folder: settings and seeds per problem/optimizer, and every bad file. */
export interface OutputCheck {
  /** problem → optimizer → setting → number of seed files. */
  counts: Map<string, Map<string, Map<string, number>>>;
  /** Files that could not be read. */
  unreadable: DeepobsJsonError[];
  /** Files that read but are malformed (wrong curve lengths, ...). */
  malformed: Array<{ file: string; problems: string[] }>;
}

export async function checkOutput(root: string): Promise<OutputCheck> {
  const check: OutputCheck = { counts: new Map(), unreadable: [], malformed: [] };
  for await (const ref of findResultFiles(root)) {
    const read = await readResultFile(ref.path);
    if (!read.ok) {
      check.unreadable.push(read.error);
      continue;
    }
    const problems = checkResult(read.result);
    if (problems.length > 0) check.malformed.push({ file: ref.path, problems });
    const byOpt = getOrSet(check.counts, [...ref.prefix, ref.problem].join('/'), () => new Map<string, Map<string, number>>());
    const bySetting = getOrSet(byOpt, ref.optimizer, () => new Map<string, number>());
    bySetting.set(ref.setting, (bySetting.get(ref.setting) ?? 0) + 1);
  }
  return check;
}

/** The check as DeepOBS prints it: "problem / optimizer: k setting(s) with s seed(s)" plus every bad file. */
export function formatOutputCheck(check: OutputCheck): string {
  const lines: string[] = [];
  for (const [problem, byOpt] of check.counts) {
    for (const [opt, bySetting] of byOpt) {
      const bySeeds = new Map<number, number>();
      for (const n of bySetting.values()) bySeeds.set(n, (bySeeds.get(n) ?? 0) + 1);
      const parts = [...bySeeds].sort((a, b) => a[0] - b[0]).map(([s, k]) => `${k} setting(s) with ${s} seed(s)`);
      lines.push(`${problem} / ${opt}: ${parts.join(', ')}`);
    }
  }
  for (const e of check.unreadable) lines.push(`UNREADABLE ${e.message}`);
  for (const m of check.malformed) lines.push(`MALFORMED ${m.file}: ${m.problems.join('; ')}`);
  return lines.join('\n');
}

function getOrSet<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}
