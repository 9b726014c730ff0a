import type { Envelope, ServerMessage } from '../schema/index.js';
import { schema } from '../schema/index.js';
import { EnvelopeError } from './errors.js';
import { DEFAULT_LIMITS, type CodecLimits } from './limits.js';
import { validateEnvelope } from './validate.js';

export type DecodeResult = { ok: true; envelope: Envelope } | { ok: false; error: EnvelopeError };

const TO_OBJECT = { defaults: true, arrays: true, objects: true, longs: Number } as const;

/** Encodes a valid envelope; an invalid one is a producer bug and throws the EnvelopeError that says why. */
export function encodeEnvelope(envelope: Envelope, limits: CodecLimits = DEFAULT_LIMITS): Uint8Array {
  const problem = validateEnvelope(envelope, limits);
  if (problem) throw problem;
  return schema.Envelope.encode(envelope).finish();
}

/**
 * Decodes and validates one envelope. Never throws: a server loop gets a typed error for anything a peer or a
 * disk can send it (malformed bytes, an unknown version, an oversize frame, a broken histogram, ...).
 */
export function decodeEnvelope(bytes: Uint8Array, limits: CodecLimits = DEFAULT_LIMITS): DecodeResult {
  if (bytes.length > limits.maxEnvelopeBytes) {
    return { ok: false, error: new EnvelopeError('oversize', '', `${bytes.length} bytes, limit ${limits.maxEnvelopeBytes}`) };
  }
  let envelope: Envelope;
  try {
    const message = schema.Envelope.decode(bytes);
    envelope = schema.Envelope.toObject(message, TO_OBJECT) as Envelope;
  } catch (e) {
    return { ok: false, error: new EnvelopeError('malformed', '', (e as Error).message) };
  }
  const problem = validateEnvelope(envelope, limits);
  return problem ? { ok: false, error: problem } : { ok: true, envelope };
}

export function encodeServerMessage(message: ServerMessage): Uint8Array {
  return schema.ServerMessage.encode(message).finish();
}

export function decodeServerMessage(bytes: Uint8Array): ServerMessage | EnvelopeError {
  try {
    return schema.ServerMessage.toObject(schema.ServerMessage.decode(bytes), TO_OBJECT) as ServerMessage;
  } catch (e) {
    return new EnvelopeError('malformed', '', (e as Error).message);
  }
}
