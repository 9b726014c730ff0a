import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { checkCurveKey, type CurveKeyPair } from '../ingest/index.js';

/** commander parsers that turn a bad flag into a clear error naming the flag's value. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
}

export function integer(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
  return n;
}

export function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
}

/** Variadic `<x...>` values: commander hands them over one by one. */
export function listOf<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
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
