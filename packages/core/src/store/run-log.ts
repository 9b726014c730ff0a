import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunEntry } from './entry.js';
import { encodeFrames } from '../framing/index.js';
import { StoreError } from './errors.js';
import { close, fdatasync, fstat, fsyncDirectory, open, writeAll } from './fs-util.js';
import type { FsyncPolicy } from './layout.js';

/** How much I/O the store did: with group commit, far fewer writes and fsyncs than records. */
export interface StoreStats {
  /** Records accepted for writing. */
  records: number;
  /** Write calls (one per run per batch). */
  writes: number;
  fsyncs: number;
}

interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(e: StoreError): void;
}

function newBatch(): Batch {
  const batch = {} as Batch;
  batch.promise = new Promise<void>((resolve, reject) => Object.assign(batch, { resolve, reject }));
  // Every append chains on this promise and sees the failure there; this branch only keeps it from counting as unhandled.
  batch.promise.catch(() => undefined);
  return batch;
}

/**
 * The writing end of one run's log. Frames queue up in memory and go to the file as one positional write per batch
 * (followed by one fdatasync under the `always` policy): that is the group commit. After an I/O error the log is
 * `broken` and refuses everything, because after a failed write or fsync nothing about the file's tail can be
 * assumed; reopening the store recovers the log from what is actually on disk.
 */
export class RunLog {
  private fd: number | undefined;
  /** Payloads waiting for the next batch; they are framed together when it is written (one buffer per batch). */
  private queue: Uint8Array[] = [];
  private batch: Batch | undefined;
  private dirty = false;
  private syncing: Promise<void> | undefined;
  broken: StoreError | undefined;

  constructor(
    private readonly dir: string,
    readonly entry: RunEntry,
    private readonly policy: FsyncPolicy,
    private readonly stats: StoreStats,
    /** The file does not exist yet, so its directory entry must be made durable once it does. */
    private fresh: boolean,
  ) {}

  get path(): string {
    return join(this.dir, this.entry.file);
  }

  get hasQueued(): boolean {
    return this.queue.length > 0;
  }

  get needsSync(): boolean {
    return this.dirty && this.fd !== undefined;
  }

  /** Queues one record's payload; the promise settles when its batch is written (and synced, under `always`). */
  enqueue(payload: Uint8Array): Promise<void> {
    this.queue.push(payload);
    this.batch ??= newBatch();
    return this.batch.promise;
  }

  /** Writes everything queued. Never rejects: the failure goes to the batch's waiters. */
  async writeQueued(): Promise<void> {
    const payloads = this.queue;
    const batch = this.batch!;
    this.queue = [];
    this.batch = undefined;
    const offset = this.entry.bytes;
    try {
      if (this.broken) throw this.broken;
      const fd = await this.openFile();
      const data = encodeFrames(payloads);
      await writeAll(fd, data, offset);
      this.stats.writes++;
      this.entry.bytes = offset + data.length;
      this.dirty = true;
      if (this.policy === 'always') await this.sync();
      // A finished run's file is closed (synced first), so that a long-lived store does not run out of file
      // descriptors; under `never` it stays open, so that a later sync() still reaches it.
      if (this.entry.status !== 'active' && !this.hasQueued && this.policy !== 'never') await this.release();
      batch.resolve();
    } catch (e) {
      batch.reject(this.fail(e, 'write', offset));
    }
  }

  /** fdatasync if anything was written since the last one (waiting for one already running, if any). */
  async sync(): Promise<void> {
    await this.syncDone();
    if (this.broken) throw this.broken;
    if (!this.needsSync) return;
    this.dirty = false;
    this.stats.fsyncs++;
    this.syncing = fdatasync(this.fd!)
      .catch((e) => {
        throw this.fail(e, 'fsync', this.entry.bytes);
      })
      .finally(() => (this.syncing = undefined));
    await this.syncing;
  }

  /** Closes the file (a finished run, or the store closing), syncing first unless the policy is `never`. */
  async release(): Promise<void> {
    if (this.fd === undefined) return;
    try {
      if (this.policy !== 'never' && !this.broken) await this.sync();
    } finally {
      await this.syncDone();
      const fd = this.fd;
      this.fd = undefined;
      if (fd !== undefined) await close(fd);
    }
  }

  private async syncDone(): Promise<void> {
    while (this.syncing) await this.syncing.catch(() => undefined);
  }

  private async openFile(): Promise<number> {
    if (this.fd !== undefined) return this.fd;
    const fd = await open(this.path, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o644);
    const { size } = await fstat(fd);
    if (size !== this.entry.bytes) {
      await close(fd);
      throw new StoreError('corrupt', `the log is ${size} bytes long but the store wrote ${this.entry.bytes}: it was changed outside the store`, this.where(size));
    }
    this.fd = fd;
    if (this.fresh && this.policy !== 'never') await fsyncDirectory(dirname(this.path));
    this.fresh = false;
    return fd;
  }

  private fail(e: unknown, what: string, offset: number): StoreError {
    if (e instanceof StoreError) return (this.broken ??= e);
    this.broken ??= new StoreError(
      'broken',
      `${what} failed (${(e as Error).message}); records from this offset on are not acknowledged and the run takes no more until the store is reopened`,
      this.where(offset),
      { cause: e },
    );
    return this.broken;
  }

  private where(offset: number) {
    return { runId: this.entry.runId, file: this.entry.file, offset };
  }
}
