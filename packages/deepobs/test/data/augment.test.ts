// The reference pipeline's image operations against direct computations (and Python's colorsys for HSV).
import { execFileSync } from 'node:child_process';
import { Rng } from '@flightdeck/core';
import { adjustContrast, adjustSaturation, augmentImage, flipLeftRight, padAndCrop, perImageStandardization } from '../../src/data/index.js';

const shape = { height: 4, width: 5, channels: 3 };
const image = () => Float32Array.from({ length: 60 }, (_, i) => (i * 37) % 256);
const at = (img: Float32Array, y: number, x: number, c: number) => img[(y * shape.width + x) * shape.channels + c];

test('per-image standardisation: zero mean, unit std; constant images use the 1/√N floor', () => {
  const out = perImageStandardization(image());
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  const std = Math.sqrt(out.reduce((a, b) => a + (b - mean) ** 2, 0) / out.length);
  expect(mean).toBeCloseTo(0, 5);
  expect(std).toBeCloseTo(1, 5);
  const flat = perImageStandardization(new Float32Array(60).fill(7));
  expect(Array.from(flat)).toEqual(Array(60).fill(0));
});

test('pad 2 + crop: offset (2, 2) is the identity, (0, 0) shifts by 2 with zero fill', () => {
  const img = image();
  expect(Array.from(padAndCrop(img, shape, 2, 2, 2))).toEqual(Array.from(img));
  const shifted = padAndCrop(img, shape, 2, 0, 0);
  expect(at(shifted, 2, 2, 1)).toBe(at(img, 0, 0, 1));
  expect(at(shifted, 3, 4, 2)).toBe(at(img, 1, 2, 2));
  expect(at(shifted, 1, 3, 0)).toBe(0);
  expect(at(shifted, 3, 1, 0)).toBe(0);
});

test('flip mirrors columns', () => {
  const img = image();
  const flipped = flipLeftRight(img, shape);
  expect(at(flipped, 1, 0, 2)).toBe(at(img, 1, 4, 2));
  expect(Array.from(flipLeftRight(flipped, shape))).toEqual(Array.from(img));
});

test('contrast keeps each channel mean and scales deviations', () => {
  const img = image();
  const out = adjustContrast(image(), 3, 1.7);
  for (let c = 0; c < 3; c++) {
    const ch = (a: Float32Array) => Array.from({ length: 20 }, (_, p) => a[p * 3 + c]);
    const m = ch(img).reduce((a, b) => a + b, 0) / 20;
    ch(out).forEach((v, p) => expect(v).toBeCloseTo((ch(img)[p] - m) * 1.7 + m, 3));
  }
});

test('saturation matches colorsys (RGB → HSV, s·f clipped to [0, 1], back) on [0, 255] values', () => {
  const rng = new Rng(9);
  const pixels = Array.from({ length: 12 }, () => [rng.int(256), rng.int(256), rng.int(256)]);
  const factors = [0, 0.5, 1.3, 3];
  const script = `import colorsys, json, sys
pixels, factors = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = []
for f in factors:
    for r, g, b in pixels:
        h, s, v = colorsys.rgb_to_hsv(r / 255, g / 255, b / 255)
        out.append([255 * t for t in colorsys.hsv_to_rgb(h, min(1.0, max(0.0, s * f)), v)])
print(json.dumps(out))`;
  const expected = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(pixels), JSON.stringify(factors)], { encoding: 'utf8' }));
  let k = 0;
  for (const f of factors) {
    const out = adjustSaturation(Float32Array.from(pixels.flat()), f);
    for (let p = 0; p < pixels.length; p++, k++) for (let c = 0; c < 3; c++) expect(out[p * 3 + c]).toBeCloseTo(expected[k][c], 2);
  }
});

test('augmentation is seeded and keeps the shape', () => {
  const a = augmentImage(image(), shape, new Rng(1), { flip: true });
  const b = augmentImage(image(), shape, new Rng(1), { flip: true });
  const c = augmentImage(image(), shape, new Rng(2), { flip: true });
  expect(Array.from(a)).toEqual(Array.from(b));
  expect(Array.from(c)).not.toEqual(Array.from(a));
  expect(a).toHaveLength(60);
});
