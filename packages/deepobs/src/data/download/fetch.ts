// One file over HTTP(S) into a partial file that survives interruptions: a later attempt (a retry here, or a
// later `deepobs data download`) asks for the rest with an HTTP Range request and appends it.
import { createWriteStream, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface TransferProgress {
  url: string;
  /** Bytes in the partial file so far, including those from earlier attempts. */
  received: number;
  total?: number;
}

export interface FetchOptions {
  /** Expected size; a server that sends more is an error. */
  size?: number;
  /** Attempts after an interrupted transfer, each resuming where the last stopped (default 3). */
  retries?: number;
  /** Idle time after which a transfer counts as interrupted (default 60 s). */
  timeoutMs?: number;
  onProgress?: (progress: TransferProgress) => void;
}

/** The server answered with an error status: trying again will not help; another address might. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`${url}: HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

/** The server offers a file of another size than expected: not the file asked for (or a changed upstream). */
export class SizeMismatchError extends Error {
  constructor(
    readonly url: string,
    readonly offered: number,
    readonly expected: number,
  ) {
    super(`${url}: the server offers ${offered} bytes, expected ${expected} (wrong file or a changed upstream)`);
    this.name = 'SizeMismatchError';
  }
}

/** The transfer stopped before the end (connection lost, timeout, server error): resumable. */
class InterruptedTransfer extends Error {}

const MAX_REDIRECTS = 5;

async function sizeOf(file: string): Promise<number> {
  return fs.stat(file).then((s) => s.size, () => 0);
}

function request(url: string, headers: Record<string, string>, timeoutMs: number): Promise<http.IncomingMessage> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers }, resolve);
    req.setTimeout(timeoutMs, () => req.destroy(new InterruptedTransfer(`${url}: no data for ${timeoutMs} ms`)));
    req.on('error', (e) => reject(e instanceof InterruptedTransfer ? e : new InterruptedTransfer(`${url}: ${e.message}`)));
  });
}

/** Follows redirects; returns the final response to a request for `url` from byte `offset` on. */
async function open(url: string, offset: number, timeoutMs: number): Promise<{ res: http.IncomingMessage; url: string }> {
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await request(current, offset > 0 ? { Range: `bytes=${offset}-` } : {}, timeoutMs);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      current = new URL(res.headers.location, current).toString();
      continue;
    }
    return { res, url: current };
  }
  throw new Error(`${url}: more than ${MAX_REDIRECTS} redirects`);
}

/** First byte of a 206 answer, from `Content-Range: bytes <start>-<end>/<total>`. */
function rangeStart(res: http.IncomingMessage): number | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
  return match ? Number(match[1]) : undefined;
}

async function attempt(url: string, part: string, options: FetchOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  let offset = await sizeOf(part);
  if (options.size !== undefined && offset > options.size) offset = 0; // not this file: start over
  if (options.size !== undefined && offset === options.size) return;
  const { res, url: finalUrl } = await open(url, offset, timeoutMs);
  const status = res.statusCode ?? 0;
  if (status === 416 && offset > 0) {
    // The server has no bytes past our partial file: it is complete, or it is not this file (the checksum decides).
    res.resume();
    return;
  }
  if (status >= 500) {
    res.resume();
    throw new InterruptedTransfer(`${finalUrl}: HTTP ${status}`);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new HttpStatusError(finalUrl, status);
  }
  // 200 to a range request: the server sends the whole file, so the partial file is rewritten from the start.
  const start = status === 206 ? rangeStart(res) : 0;
  if (start === undefined || start > offset) {
    res.resume();
    throw new Error(`${finalUrl}: unusable Content-Range "${res.headers['content-range']}" for a request from byte ${offset}`);
  }
  const length = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(length) ? start + length : options.size;
  if (options.size !== undefined && total !== undefined && total !== options.size) {
    res.resume();
    throw new SizeMismatchError(finalUrl, total, options.size);
  }
  if (start < offset) await fs.truncate(part, start);
  let received = start;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      options.onProgress?.({ url: finalUrl, received, total });
      done(null, chunk);
    },
  });
  res.setTimeout(timeoutMs, () => res.destroy(new InterruptedTransfer(`${finalUrl}: no data for ${timeoutMs} ms`)));
  try {
    await pipeline(res, count, createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }));
  } catch (e) {
    throw new InterruptedTransfer(`${finalUrl}: transfer stopped at byte ${received}: ${(e as Error).message}`);
  }
  if (total !== undefined && received < total) {
    throw new InterruptedTransfer(`${finalUrl}: the connection closed at byte ${received} of ${total}`);
  }
}

/**
 * Downloads `url` into `part`, resuming from what `part` already holds. An interrupted transfer is resumed up to
 * `retries` times; what arrived stays in `part` for a later call. Errors name the address and the byte reached.
 */
export async function fetchResumable(url: string, part: string, options: FetchOptions = {}): Promise<void> {
  const retries = options.retries ?? 3;
  for (let tries = 0; ; tries++) {
    try {
      await attempt(url, part, options);
      return;
    } catch (e) {
      if (!(e instanceof InterruptedTransfer) || tries >= retries) throw e;
    }
  }
}
