// What turns downloaded files into the layout the readers expect.
import * as path from 'node:path';
import { convertSvhn } from './svhn.js';
import { extractTarGz } from './tar.js';
import { preprocessTolstoi } from './tolstoi.js';

export type PrepareStep = { kind: 'untar'; stripComponents: number } | { kind: 'svhn' } | { kind: 'tolstoi' };

export async function runPrepare(step: PrepareStep, folder: string, downloads: string[]): Promise<void> {
  switch (step.kind) {
    case 'untar':
      for (const archive of downloads) await extractTarGz(archive, folder, step.stripComponents);
      return;
    case 'svhn':
      return convertSvhn(folder);
    case 'tolstoi':
      return preprocessTolstoi(downloads[0]!, path.resolve(folder));
  }
}
