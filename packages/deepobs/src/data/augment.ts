// The TF reference pipeline's image preprocessing (deepobs.md §2), on one HWC float image at a time.
import type { Rng } from '@flightdeck/core';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** tf.image.per_image_standardization: (x − mean) / max(std, 1/√N) over all pixels and channels, in place. */
export function perImageStandardization(image: Float32Array): Float32Array {
  const n = image.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += image[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (image[i] - mean) ** 2;
  const scale = Math.max(Math.sqrt(variance / n), 1 / Math.sqrt(n));
  for (let i = 0; i < n; i++) image[i] = (image[i] - mean) / scale;
  return image;
}

/** Zero-pads by `pad` on every side, then crops a window of the original size at (top, left) of the padded image. */
export function padAndCrop(image: Float32Array, shape: ImageShape, pad: number, top: number, left: number): Float32Array {
  const { height, width, channels } = shape;
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    const sy = y + top - pad;
    if (sy < 0 || sy >= height) continue;
    for (let x = 0; x < width; x++) {
      const sx = x + left - pad;
      if (sx < 0 || sx >= width) continue;
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = image[(sy * width + sx) * channels + c];
    }
  }
  return out;
}

export function flipLeftRight(image: Float32Array, shape: ImageShape): Float32Array {
  const { height, width, channels } = shape;
  const out = new Float32Array(image.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = image[(y * width + (width - 1 - x)) * channels + c];
    }
  }
  return out;
}

/** tf.image.adjust_brightness: adds delta to every value, in place. */
export function adjustBrightness(image: Float32Array, delta: number): Float32Array {
  for (let i = 0; i < image.length; i++) image[i] += delta;
  return image;
}

/** tf.image.adjust_contrast: per channel, (x − channel mean) · factor + channel mean, in place. */
export function adjustContrast(image: Float32Array, channels: number, factor: number): Float32Array {
  const pixels = image.length / channels;
  for (let c = 0; c < channels; c++) {
    let mean = 0;
    for (let p = 0; p < pixels; p++) mean += image[p * channels + c];
    mean /= pixels;
    for (let p = 0; p < pixels; p++) image[p * channels + c] = (image[p * channels + c] - mean) * factor + mean;
  }
  return image;
}

/**
 * tf.image.adjust_saturation on RGB: to HSV, saturation · factor clipped to [0, 1], back to RGB, in place.
 * Scale-free, so it works on [0, 255] values as the reference pipeline feeds it.
 */
export function adjustSaturation(image: Float32Array, factor: number): Float32Array {
  for (let p = 0; p < image.length; p += 3) {
    const r = image[p], g = image[p + 1], b = image[p + 2];
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    if (max <= 0 || max === min) continue;
    const s = Math.min(1, Math.max(0, ((max - min) / max) * factor));
    // Hue is kept: each channel keeps its relative position between min and max.
    const newMin = max * (1 - s);
    const k = (max - newMin) / (max - min);
    image[p] = newMin + (r - min) * k;
    image[p + 1] = newMin + (g - min) * k;
    image[p + 2] = newMin + (b - min) * k;
  }
  return image;
}

export interface AugmentOptions {
  flip: boolean;
}

/**
 * The CIFAR/SVHN training augmentation: pad 2 + random 32×32 crop, random horizontal flip (CIFAR only),
 * random brightness ±63/255 (on [0, 255] values, as the reference, so practically a no-op), random saturation
 * in [0.5, 1.5], random contrast in [0.2, 1.8]. Standardisation follows separately.
 */
export function augmentImage(image: Float32Array, shape: ImageShape, rng: Rng, options: AugmentOptions): Float32Array {
  let out = padAndCrop(image, shape, 2, rng.int(5), rng.int(5));
  if (options.flip && rng.next() < 0.5) out = flipLeftRight(out, shape);
  adjustBrightness(out, rng.uniform(-63 / 255, 63 / 255));
  adjustSaturation(out, rng.uniform(0.5, 1.5));
  adjustContrast(out, shape.channels, rng.uniform(0.2, 1.8));
  return out;
}
