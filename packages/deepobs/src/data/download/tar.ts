// Extracts the regular files of a .tar.gz (the CIFAR binary archives) like `tar -xf … --strip <n>`.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';

/** Extracts into `folder`, dropping the first `strip` path components; returns the files written. */
export async function extractTarGz(archive: string, folder: string, strip: number): Promise<string[]> {
  const written: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const parts = header.name.split('/').filter((p) => p !== '' && p !== '.');
    const rel = parts.slice(strip);
    if (header.type !== 'file' || rel.length === 0) {
      stream.resume();
      stream.on('end', next);
      return;
    }
    if (path.isAbsolute(header.name) || rel.includes('..')) {
      next(new Error(`${archive}: refusing entry "${header.name}" that points outside the target folder`));
      return;
    }
    const target = path.join(folder, ...rel);
    fs.mkdir(path.dirname(target), { recursive: true })
      .then(() => pipeline(stream, createWriteStream(target)))
      .then(() => {
        written.push(target);
        next();
      }, next);
  });
  try {
    await pipeline(createReadStream(archive), createGunzip(), extract);
  } catch (e) {
    throw new Error(`${archive}: cannot extract: ${(e as Error).message}`);
  }
  return written;
}
