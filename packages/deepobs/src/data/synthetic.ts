import type { Rng } from '@flightdeck/core';
import type { ImageRecords } from './formats/records.js';

/** Random bytes and labels with the real image shape, for smoke runs and tests. */
export function syntheticImages(rng: Rng, count: number, pixels: number, numClasses: number): ImageRecords {
  const images = new Uint8Array(count * pixels);
  for (let i = 0; i < images.length; i++) images[i] = rng.nextUint32() & 0xff;
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = rng.int(numClasses);
  return { images, labels, count };
}

export function syntheticText(rng: Rng, length: number, vocabulary: number): Int32Array {
  const ids = new Int32Array(length);
  for (let i = 0; i < length; i++) ids[i] = rng.int(vocabulary);
  return ids;
}

/** count × dim draws from N(0, std²). */
export function gaussianRows(rng: Rng, count: number, dim: number, std: number): { data: Float32Array; count: number } {
  const data = new Float32Array(count * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, std);
  return { data, count };
}
