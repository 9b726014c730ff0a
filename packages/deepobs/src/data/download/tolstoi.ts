// War and Peace to DeepOBS's Tolstoi arrays, as deepobs_prepare_data.sh and _tolstoi_preprocess.py do: delete
// the front matter and index with `sed -i '1,29d'`, then '5,775d', then '63850,64207d' (each on the previous
// result, line numbers 1-based, '\r' kept as part of a line), build the vocabulary of characters (code points)
// sorted by descending count, ties in order of first appearance (Python's Counter + stable sort), map the text to
// ids and split contiguously: the first ⌈80%⌉ is train.npy, the rest test.npy. The vocabulary is written as
// vocab.json (a list of characters by id) instead of a Python pickle; ids are stored as int32 instead of int64.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { encodeNpyInt32 } from './npy.js';

/** Line ranges DeepOBS deletes, in order, each numbered in the text left by the previous deletion. */
export const TOLSTOI_DELETIONS: readonly [number, number][] = [
  [1, 29],
  [5, 775],
  [63850, 64207],
];
const TEST_FRACTION = 0.2;

/** `sed -i 'a,bd'` on a whole text. */
export function deleteLines(text: string, first: number, last: number): string {
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n');
  lines.splice(first - 1, Math.max(0, Math.min(last, lines.length) - first + 1));
  return lines.length === 0 ? '' : lines.join('\n') + (endsWithNewline ? '\n' : '');
}

export interface TolstoiArrays {
  vocabulary: string[];
  train: Int32Array;
  test: Int32Array;
}

export function tolstoiArrays(rawText: string): TolstoiArrays {
  const text = TOLSTOI_DELETIONS.reduce((t, [a, b]) => deleteLines(t, a, b), rawText);
  const chars = Array.from(text);
  const counts = new Map<string, number>();
  for (const ch of chars) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const vocabulary = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)!);
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  const all = Int32Array.from(chars, (ch) => ids.get(ch)!);
  const trainSize = Math.ceil((1 - TEST_FRACTION) * all.length);
  return { vocabulary, train: all.slice(0, trainSize), test: all.slice(trainSize) };
}

/** Writes train.npy, test.npy and vocab.json into `folder` from `source` (the downloaded text, UTF-8). */
export async function preprocessTolstoi(source: string, folder: string): Promise<void> {
  const { vocabulary, train, test } = tolstoiArrays(await fs.readFile(source, 'utf8'));
  const write = async (name: string, data: Uint8Array | string) => {
    await fs.writeFile(path.join(folder, `${name}.tmp`), data);
    await fs.rename(path.join(folder, `${name}.tmp`), path.join(folder, name));
  };
  await write('train.npy', encodeNpyInt32(train));
  await write('test.npy', encodeNpyInt32(test));
  await write('vocab.json', JSON.stringify(vocabulary));
}
