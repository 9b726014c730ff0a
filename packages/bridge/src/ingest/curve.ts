import * as zmq from 'zeromq';

/** A CurveZMQ key pair, Z85-encoded (40 characters each), as zeromq's curveKeyPair makes them. */
export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

/** The server side of CurveZMQ: its own key pair and the public keys of the clients let in. */
export interface CurveServerConfig extends CurveKeyPair {
  allowedClientKeys: string[];
}

/** The client side: its own key pair and the server's public key. */
export interface CurveClientConfig extends CurveKeyPair {
  serverPublicKey: string;
}

export function generateCurveKeyPair(): CurveKeyPair {
  if (!zmq.capability.curve) throw new Error('this zeromq build has no CURVE support');
  return zmq.curveKeyPair();
}

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/** Z85 (ZeroMQ RFC 32) text of a byte string whose length is a multiple of 4; ZAP hands over raw 32-byte keys. */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw new Error(`z85: length ${bytes.length} is not a multiple of 4`);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    let value = ((bytes[i] << 24) >>> 0) + (bytes[i + 1] << 16) + (bytes[i + 2] << 8) + bytes[i + 3];
    const chunk: string[] = [];
    for (let k = 0; k < 5; k++) {
      chunk.unshift(Z85[value % 85]);
      value = Math.floor(value / 85);
    }
    out += chunk.join('');
  }
  return out;
}

const KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** Throws a clear error for anything that is not a 40-character Z85 key. */
export function checkCurveKey(key: string, what: string): string {
  if (!KEY.test(key)) throw new Error(`${what}: not a 40-character Z85 CurveZMQ key`);
  return key;
}
