import { createReadStream } from 'node:fs';
import { DEFAULT_LIMITS } from '../codec/limits.js';
import { FrameDecoder, type Frame, type FrameDecoderOptions, type FrameTail } from './frame.js';

const DEFAULT_DECODER: FrameDecoderOptions = { maxPayloadBytes: DEFAULT_LIMITS.maxEnvelopeBytes };

/** Every complete frame of an in-memory buffer, and where the good data ends. Payloads are views into `bytes`. */
export function decodeFrames(bytes: Uint8Array, options: FrameDecoderOptions = DEFAULT_DECODER): { frames: Frame[]; tail: FrameTail } {
  const decoder = new FrameDecoder(options);
  const frames = decoder.push(bytes);
  return { frames, tail: decoder.finish() };
}

/**
 * Frames from a stream of chunks (a file read in pieces, a socket). Iterate it for the complete records; once the
 * iteration has ended, `tail` says where the good records end and why the rest, if any, is bad. A damaged tail
 * ends the iteration normally; only an error of the underlying stream (e.g. a failed read) is thrown.
 * Chunks must not be reused after they are yielded: payloads are views into them.
 */
export class FrameReader implements AsyncIterable<Frame> {
  private result: FrameTail | undefined;

  constructor(
    private readonly chunks: AsyncIterable<Uint8Array>,
    private readonly options: FrameDecoderOptions = DEFAULT_DECODER,
  ) {}

  /** Set when the iteration has run to the end of the stream. */
  get tail(): FrameTail | undefined {
    return this.result;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    const decoder = new FrameDecoder(this.options);
    for await (const chunk of this.chunks) yield* decoder.push(chunk);
    this.result = decoder.finish();
  }
}

export interface ReadFrameFileOptions extends Partial<FrameDecoderOptions> {
  /** Read only the first `end` bytes (e.g. what was written when the read began). */
  end?: number;
  /** Size of each read; frames straddle reads freely. */
  chunkBytes?: number;
}

/** Streams the frames of a file in chunks, without loading it whole. */
export function readFrameFile(path: string, options: ReadFrameFileOptions = {}): FrameReader {
  const { end, chunkBytes = 256 * 1024, maxPayloadBytes = DEFAULT_DECODER.maxPayloadBytes } = options;
  const chunks: AsyncIterable<Uint8Array> =
    end === 0 ? emptyChunks() : createReadStream(path, { highWaterMark: chunkBytes, ...(end === undefined ? {} : { end: end - 1 }) });
  return new FrameReader(chunks, { maxPayloadBytes });
}

async function* emptyChunks(): AsyncIterable<Uint8Array> {}
