import * as fs from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { decodeEnvelope } from '../codec/codec.js';
import type { CodecLimits } from '../codec/limits.js';
import { readFrameFile, type FrameFault } from '../framing/index.js';
import { applyRecord, newEntry, type RunEntry } from './entry.js';
import { StoreError } from './errors.js';
import { copyRange, freshName, fsync, fsyncDirectory, open, close } from './fs-util.js';

/** What recovery cut off the end of a log. */
export interface RecoveryCut {
  runId: string;
  file: string;
  /** Where the cut starts: the end of the last complete record, now the end of the log. */
  offset: number;
  /** How many bytes were cut. */
  bytes: number;
  reason: FrameFault;
  detail: string;
  /** The cut bytes, kept beside the log (relative to the store's folder), so that nothing is thrown away unseen. */
  savedTo: string;
}

export interface ScanOptions {
  limits: CodecLimits;
  durable: boolean;
  log: (message: string) => void;
}

/**
 * Reads a whole log, rebuilding its index entry, and cuts a damaged tail off it: everything from the first
 * incomplete or corrupt frame on is copied to `<log>.cut-<offset>` and the log is truncated to its last complete
 * record. Every complete record is kept.
 */
export async function recoverLog(dir: string, runId: string, file: string, options: ScanOptions): Promise<{ entry: RunEntry; cut?: RecoveryCut }> {
  const path = join(dir, file);
  const entry = newEntry(runId, file);
  const reader = readFrameFile(path, { maxPayloadBytes: options.limits.maxEnvelopeBytes });
  try {
    for await (const frame of reader) {
      const decoded = decodeEnvelope(frame.payload, options.limits);
      if (decoded.ok) {
        if (decoded.envelope.runId !== runId) options.log(`run store: record at offset ${frame.offset} of ${file} belongs to run ${decoded.envelope.runId}, kept in run ${runId}`);
        applyRecord(entry, decoded.envelope);
      } else {
        entry.records++;
        options.log(`run store: record at offset ${frame.offset} of ${file} (run ${runId}) is intact but does not decode (${decoded.error.message}); kept as is`);
      }
    }
  } catch (e) {
    throw new StoreError('io', `cannot read the log: ${(e as Error).message}`, { runId, file }, { cause: e });
  }
  const tail = reader.tail!;
  entry.bytes = tail.goodEnd;
  if (!tail.fault) return { entry };

  const savedPath = freshName(`${path}.cut-${tail.goodEnd}`);
  const cut: RecoveryCut = {
    runId,
    file,
    offset: tail.goodEnd,
    bytes: tail.totalBytes - tail.goodEnd,
    reason: tail.fault.reason,
    detail: tail.fault.detail,
    savedTo: relative(dir, savedPath),
  };
  try {
    await copyRange(path, tail.goodEnd, tail.totalBytes, savedPath, options.durable);
    if (options.durable) await fsyncDirectory(dirname(path));
    await truncate(path, tail.goodEnd, options.durable);
  } catch (e) {
    throw new StoreError('io', `cannot cut the damaged tail (${cut.bytes} bytes): ${(e as Error).message}`, { runId, file, offset: cut.offset }, { cause: e });
  }
  options.log(
    `run store: cut ${cut.bytes} bytes off the end of ${file} (run ${runId}) at offset ${cut.offset}, after ${entry.records} complete records: ` +
      `${cut.reason}, ${cut.detail}; the cut bytes are kept in ${cut.savedTo}`,
  );
  return { entry, cut };
}

async function truncate(path: string, length: number, durable: boolean): Promise<void> {
  const fd = await open(path, 'r+');
  try {
    fs.ftruncateSync(fd, length);
    if (durable) await fsync(fd);
  } finally {
    await close(fd);
  }
}
