// The `data` command group for the deepobs CLI: `data download <names...>` and `data list`.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { resolveDataDir } from '../sources.js';
import { DATA_SOURCES } from './catalog.js';
import type { DownloadEvent } from './download.js';
import { downloadDataset } from './download.js';

const MB = 1e6;

/** Progress on stderr: a bar per file on a terminal, a line per 10% otherwise. */
function progressReporter(stream: NodeJS.WriteStream = process.stderr): { report(e: DownloadEvent): void; stop(): void } {
  let bar: SingleBar | undefined;
  let current = '';
  let lastTenth = -1;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    stop,
    report(e) {
      if (e.phase !== 'download') {
        stop();
        current = '';
        if (e.phase === 'warning') stream.write(`warning: ${e.message}\n`);
        else if (e.phase === 'present') stream.write(`${e.dataset}: already prepared (use --force to download again)\n`);
        else stream.write(`${e.dataset}: ${e.phase === 'verify' ? `checking ${e.file}` : 'preparing the files'}\n`);
        return;
      }
      const key = `${e.dataset}/${e.file}`;
      const total = e.total ?? 0;
      if (stream.isTTY) {
        if (key !== current) {
          stop();
          current = key;
          bar = new SingleBar({ format: `${key} [{bar}] {percentage}% {value}/{total} MB ETA {eta_formatted}`, stream });
          bar.start(Math.ceil(total / MB), 0);
        }
        bar?.update(Math.floor(e.received / MB));
        return;
      }
      if (key !== current) {
        current = key;
        lastTenth = -1;
      }
      const tenth = total ? Math.floor((10 * e.received) / total) : -1;
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${key}: ${(e.received / MB).toFixed(1)}${total ? ` of ${(total / MB).toFixed(1)}` : ''} MB\n`);
      }
    },
  };
}

function parseDigests(values: string[] = []): Record<string, string> {
  return Object.fromEntries(
    values.map((v) => {
      const match = /^([^=]+)=([0-9a-fA-F]{64})$/.exec(v);
      if (!match) throw new Error(`--sha256 takes <file name>=<64 hex digits>, got "${v}"`);
      return [match[1]!, match[2]!.toLowerCase()];
    }),
  );
}

interface DownloadFlags {
  dataDir?: string;
  baseUrl?: string;
  force?: boolean;
  sha256?: string[];
}

async function download(names: string[], flags: DownloadFlags): Promise<void> {
  const progress = progressReporter();
  try {
    const dataDir = resolveDataDir(flags.dataDir);
    const sha256 = parseDigests(flags.sha256);
    for (const name of names) {
      const result = await downloadDataset(name, { dataDir, baseUrl: flags.baseUrl, force: flags.force, sha256, onProgress: progress.report });
      progress.stop();
      const checked = result.files.map((f) => `${f.name} (${f.check === 'published' ? 'SHA-256 verified' : f.check === 'recorded' ? 'SHA-256 recorded' : 'matches recorded SHA-256'})`);
      process.stdout.write(`${name}: ready in ${result.folder}${checked.length ? `; ${checked.join(', ')}` : ''}\n`);
    }
  } catch (e) {
    progress.stop();
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

function list(flags: { dataDir?: string }): void {
  const dataDir = resolveDataDir(flags.dataDir);
  for (const source of Object.values(DATA_SOURCES)) {
    const folder = path.join(dataDir, source.folder);
    const ready = source.outputs.every((f) => existsSync(path.join(folder, f)));
    const bytes = source.files.reduce((n, f) => n + (f.size ?? NaN), 0);
    const size = Number.isNaN(bytes) ? 'size unknown' : `${(bytes / MB).toFixed(0)} MB`;
    const digests = source.files.every((f) => f.sha256) ? 'SHA-256 published' : 'no published SHA-256 (recorded on first download)';
    process.stdout.write(`${source.name.padEnd(9)} ${ready ? 'ready  ' : 'missing'} ${folder}  (${size}; ${digests})\n`);
  }
}

/** `data` with `download <names...>` and `list`, ready to mount with `program.addCommand(dataCommand())`. */
export function dataCommand(): Command {
  const data = new Command('data').description('get the DeepOBS data sets');
  data
    .command('download')
    .description(`download and prepare data sets (${Object.keys(DATA_SOURCES).join(', ')}); resumes interrupted downloads`)
    .argument('<names...>', 'data set names')
    .option('--data-dir <dir>', 'data directory (default: $DEEPOBS_DATA_DIR or ./data_deepobs)')
    .option('--base-url <url>', 'fetch every file from <url>/<file name> instead of the canonical addresses')
    .option('--sha256 <name=digest...>', 'expected SHA-256 of a file, replacing the published one (for a mirror)')
    .option('--force', 'download and prepare again even if the data set is ready')
    .action(download);
  data
    .command('list')
    .description('the downloadable data sets and whether they are in the data directory')
    .option('--data-dir <dir>', 'data directory (default: $DEEPOBS_DATA_DIR or ./data_deepobs)')
    .action(list);
  return data;
}
