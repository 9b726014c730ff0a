import * as fs from 'node:fs';
import { promisify } from 'node:util';

const write = promisify(fs.write);
const read = promisify(fs.read);
export const fdatasync = promisify(fs.fdatasync);
export const fsync = promisify(fs.fsync);
export const close = promisify(fs.close);
export const open = promisify(fs.open);
export const fstat = promisify(fs.fstat);

/** Writes all of `data` at `position`, looping over short writes. */
export async function writeAll(fd: number, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await write(fd, data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** Makes a directory entry (a created, renamed or removed file) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fsync(fd);
  } finally {
    await close(fd);
  }
}

/** Copies bytes [start, end) of one file into a new file, in bounded pieces (and fsyncs it if `durable`). */
export async function copyRange(from: string, start: number, end: number, to: string, durable: boolean): Promise<void> {
  const source = await open(from, 'r');
  try {
    const target = await open(to, 'wx');
    try {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, end - start)));
      for (let at = start; at < end; ) {
        const { bytesRead } = await read(source, buf, 0, Math.min(buf.length, end - at), at);
        if (bytesRead === 0) break;
        await writeAll(target, buf.subarray(0, bytesRead), at - start);
        at += bytesRead;
      }
      if (durable) await fsync(target);
    } finally {
      await close(target);
    }
  } finally {
    await close(source);
  }
}

/** A file name next to `path` that does not exist yet: `path`, else `path.2`, `path.3`, ... */
export function freshName(path: string): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? path : `${path}.${n}`;
    if (!fs.existsSync(candidate)) return candidate;
  }
}
