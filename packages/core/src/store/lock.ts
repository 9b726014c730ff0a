import * as fs from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './errors.js';

export const LOCK_FILE = 'LOCK';
const openHere = new Set<string>();

/**
 * One writer per store: two processes appending to the same logs would interleave frames. The lock file holds the
 * owner's pid; a lock left by a process that no longer exists (a crash) is taken over.
 */
export function acquireLock(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  if (openHere.has(path)) throw new StoreError('locked', 'the store is already open in this process', { file: path });
  for (;;) {
    try {
      fs.writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StoreError('io', `cannot create the lock file: ${(e as Error).message}`, { file: path }, { cause: e });
    }
    const owner = Number.parseInt(readOrEmpty(path), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
      throw new StoreError('locked', `the store is open in process ${owner}; if no such process uses it, delete the lock file`, { file: path });
    }
    fs.rmSync(path, { force: true });
  }
  openHere.add(path);
  return () => {
    openHere.delete(path);
    fs.rmSync(path, { force: true });
  };
}

function readOrEmpty(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
