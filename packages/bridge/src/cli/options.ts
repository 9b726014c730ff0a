import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { checkCurveKey, type CurveKeyPair } from '../ingest/index.js';

/** commander parsers that turn a bad flag into a clear error naming the flag's value. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port number 0-65535, got "${value}"`);
  return n;
}

/** A key pair file written by `flightdeck keys --out`. */
export function readKeyPairFile(path: string): CurveKeyPair {
  let parsed: Partial<CurveKeyPair>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`key file ${path}: ${(e as Error).message}`);
  }
  return {
    publicKey: checkCurveKey(String(parsed.publicKey ?? ''), `key file ${path}: publicKey`),
    secretKey: checkCurveKey(String(parsed.secretKey ?? ''), `key file ${path}: secretKey`),
  };
}

/** Allowed client keys: one Z85 public key per line (# comments and blank lines ignored), or a key pair file. */
export function readAllowedKeys(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`allowed keys file ${path}: ${(e as Error).message}`);
  }
  if (text.trimStart().startsWith('{')) return [readKeyPairFile(path).publicKey];
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((k, i) => checkCurveKey(k, `allowed keys file ${path}, key ${i + 1}`));
}
