/** A one-dimensional int32 array as a NumPy .npy file (format 1.0, header padded to 64 bytes as numpy.save does). */
export function encodeNpyInt32(values: Int32Array): Buffer {
  let header = `{'descr': '<i4', 'fortran_order': False, 'shape': (${values.length},), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const preamble = Buffer.alloc(10);
  preamble.write('\x93NUMPY', 0, 'latin1');
  preamble.writeUInt8(1, 6);
  preamble.writeUInt8(0, 7);
  preamble.writeUInt16LE(header.length, 8);
  const data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return Buffer.concat([preamble, Buffer.from(header, 'latin1'), data]);
}
