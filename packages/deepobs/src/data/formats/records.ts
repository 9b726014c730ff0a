/**
 * Fixed-length records of label bytes followed by an image (the CIFAR binary format, and the CIFAR-style files
 * DeepOBS converts SVHN into).
 */
export interface RecordLayout {
  /** Bytes before the image (CIFAR-10 and SVHN: 1; CIFAR-100: 2, coarse then fine). */
  labelBytes: number;
  /** Which of those bytes is the label (CIFAR-100: 1, the fine label). */
  labelOffset: number;
  height: number;
  width: number;
  channels: number;
  /** Byte order of the image: CIFAR stores channel planes (chw), DeepOBS's SVHN files store pixels (hwc). */
  order: 'chw' | 'hwc';
}

export interface ImageRecords {
  /** Images in HWC order, count × height × width × channels. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export function parseRecords(buffer: Uint8Array, layout: RecordLayout, file: string): ImageRecords {
  const pixels = layout.height * layout.width * layout.channels;
  const recordBytes = layout.labelBytes + pixels;
  if (buffer.length % recordBytes !== 0) {
    throw new Error(`${file}: ${buffer.length} bytes is not a whole number of ${recordBytes}-byte records (truncated or wrong format)`);
  }
  const count = buffer.length / recordBytes;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  const plane = layout.height * layout.width;
  for (let n = 0; n < count; n++) {
    const start = n * recordBytes;
    labels[n] = buffer[start + layout.labelOffset];
    const src = buffer.subarray(start + layout.labelBytes, start + recordBytes);
    const dst = images.subarray(n * pixels, (n + 1) * pixels);
    if (layout.order === 'hwc') {
      dst.set(src);
    } else {
      for (let c = 0; c < layout.channels; c++) {
        for (let p = 0; p < plane; p++) dst[p * layout.channels + c] = src[c * plane + p];
      }
    }
  }
  return { images, labels, count };
}
