// `deepobs data download <name>`: fetch a data set's files (resumably), check them, and prepare the folder
// layout the readers expect under the data directory.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { DataSetSource, RemoteFile } from './catalog.js';
import { getDataSource } from './catalog.js';
import { sha256File } from './checksum.js';
import { SizeMismatchError, fetchResumable, type TransferProgress } from './fetch.js';
import { runPrepare } from './prepare.js';

export type DownloadEvent =
  | ({ phase: 'download'; dataset: string; file: string } & TransferProgress)
  | { phase: 'verify' | 'prepare' | 'present'; dataset: string; file?: string }
  | { phase: 'warning'; dataset: string; file?: string; message: string };

export interface DownloadOptions {
  /** The data directory (the readers' --data-dir); the data set goes into its DeepOBS sub-folder. */
  dataDir: string;
  /** Fetch every file from `<baseUrl>/<file name>` instead of the canonical addresses (a mirror, a test server). */
  baseUrl?: string;
  /** Expected SHA-256 per file name, replacing the table's (for a mirror that serves other bytes on purpose). */
  sha256?: Record<string, string>;
  /** Download and prepare again even if the prepared files are there. */
  force?: boolean;
  /** Attempts per address after an interruption (default 3); each resumes. */
  retries?: number;
  timeoutMs?: number;
  onProgress?: (event: DownloadEvent) => void;
}

export interface DownloadedFile {
  name: string;
  sha256: string;
  /** `published`: matched the table; `recorded`: no digest was known, this one was recorded; `matched-record`:
   *  matched the digest recorded by an earlier download. */
  check: 'published' | 'recorded' | 'matched-record';
}

export interface DownloadResult {
  dataset: string;
  folder: string;
  /** Empty when the data set was already prepared. */
  files: DownloadedFile[];
  alreadyPresent: boolean;
  warnings: string[];
}

/** The downloaded bytes are not the expected ones; nothing is left under the final name. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
    source: string,
  ) {
    super(
      `${file}: SHA-256 ${actual} does not match the ${source} ${expected}. The download was deleted; ` +
        `run the command again to fetch it anew, or check the address.`,
    );
    this.name = 'ChecksumMismatchError';
  }
}

const RECORD_SUFFIX = '.sha256';

async function fetchFromAny(file: RemoteFile, urls: string[], part: string, options: DownloadOptions, dataset: string) {
  const failures: string[] = [];
  for (const url of urls) {
    try {
      await fetchResumable(url, part, {
        // A given digest is for other bytes than the table's (a mirror), so the table's size does not apply.
        size: options.sha256?.[file.name] ? undefined : file.size,
        retries: options.retries,
        timeoutMs: options.timeoutMs,
        onProgress: (p) => options.onProgress?.({ phase: 'download', dataset, file: file.name, ...p }),
      });
      return;
    } catch (e) {
      if (e instanceof SizeMismatchError) await fs.rm(part, { force: true });
      failures.push((e as Error).message);
    }
  }
  const kept = await fs.stat(part).then((s) => s.size, () => 0);
  const resume = kept > 0 ? ` What arrived (${kept} bytes) is kept in ${part}; running the command again resumes it.` : '';
  throw new Error(`${dataset}: could not download ${file.name} (${failures.join('; ')}).${resume}`);
}

/** Checks `part` and moves it to `target`; a mismatch deletes it. Returns how it was checked. */
async function verify(
  file: RemoteFile,
  part: string,
  target: string,
  options: DownloadOptions,
  warnings: string[],
): Promise<DownloadedFile> {
  const actual = await sha256File(part);
  const fail = async (expected: string, source: string) => {
    await fs.rm(part, { force: true });
    throw new ChecksumMismatchError(target, expected, actual, source);
  };
  const published = options.sha256?.[file.name] ?? file.sha256;
  const recordFile = target + RECORD_SUFFIX;
  let check: DownloadedFile['check'];
  if (published) {
    if (actual !== published) await fail(published, options.sha256?.[file.name] ? 'given digest' : 'published digest');
    check = 'published';
  } else if (existsSync(recordFile)) {
    const recorded = (await fs.readFile(recordFile, 'utf8')).trim().split(/\s+/)[0]!;
    if (actual !== recorded) await fail(recorded, `digest recorded in ${recordFile} by an earlier download`);
    check = 'matched-record';
  } else {
    await fs.writeFile(recordFile, `${actual}  ${file.name}\n`);
    warnings.push(
      `${target}: no published SHA-256 for this file; recorded ${actual} in ${recordFile}. ` +
        `Compare it with a trusted copy; later downloads must match it.`,
    );
    check = 'recorded';
  }
  await fs.rename(part, target);
  return { name: file.name, sha256: actual, check };
}

function allPresent(source: DataSetSource, folder: string): boolean {
  return source.outputs.every((f) => existsSync(path.join(folder, f)));
}

/**
 * Downloads data set `name` into `<dataDir>/<folder>` and prepares it for the readers. Interrupted transfers
 * resume (also across calls: the partial `.part` file is kept); every file is checked against its SHA-256 (or,
 * where none is published, the digest is recorded and a warning returned); a mismatch is a ChecksumMismatchError
 * and leaves no file under the final name.
 */
export async function downloadDataset(name: string, options: DownloadOptions): Promise<DownloadResult> {
  const source = getDataSource(name);
  const folder = path.join(options.dataDir, source.folder);
  const warnings: string[] = [];
  if (!options.force && allPresent(source, folder)) {
    options.onProgress?.({ phase: 'present', dataset: name });
    return { dataset: name, folder, files: [], alreadyPresent: true, warnings };
  }
  await fs.mkdir(folder, { recursive: true });
  const files: DownloadedFile[] = [];
  const downloads: string[] = [];
  for (const file of source.files) {
    const target = path.join(folder, file.name);
    const urls = options.baseUrl ? [`${options.baseUrl.replace(/\/+$/, '')}/${file.name}`] : file.urls;
    const part = `${target}.part`;
    if (options.force || !existsSync(target)) {
      await fetchFromAny(file, urls, part, options, name);
    } else {
      await fs.rename(target, part); // already downloaded: checked again like a fresh download
    }
    options.onProgress?.({ phase: 'verify', dataset: name, file: file.name });
    files.push(await verify(file, part, target, options, warnings));
    downloads.push(target);
  }
  if (source.prepare) {
    options.onProgress?.({ phase: 'prepare', dataset: name });
    await runPrepare(source.prepare, folder, downloads);
    const missing = source.outputs.filter((f) => !existsSync(path.join(folder, f)));
    if (missing.length) throw new Error(`${name}: preparing ${folder} did not produce ${missing.join(', ')}`);
    if (source.removeDownloads) await Promise.all(downloads.map((d) => fs.rm(d, { force: true })));
  }
  for (const message of warnings) options.onProgress?.({ phase: 'warning', dataset: name, message });
  return { dataset: name, folder, files, alreadyPresent: false, warnings };
}
