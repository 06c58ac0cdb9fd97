import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { sha1Sorted } from '../signature';

/**
 * WeChat Official Account safe mode: AES-256-CBC, key = base64(EncodingAESKey + "="), iv = key[0..16],
 * PKCS#7 padding to 32-byte blocks; plaintext = random(16) + length(4, big-endian) + message + appId.
 */
export class WeChatCrypto {
  private readonly key: Buffer;

  constructor(encodingAesKey: string, private readonly appId: string) {
    this.key = Buffer.from(encodingAesKey + '=', 'base64');
    if (this.key.length !== 32) throw new Error('EncodingAESKey must be 43 characters of base64 (32 bytes)');
  }

  encrypt(message: string): string {
    const msg = Buffer.from(message, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(msg.length);
    const plain = pad(Buffer.concat([randomBytes(16), len, msg, Buffer.from(this.appId, 'utf8')]));
    const c = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    c.setAutoPadding(false);
    return Buffer.concat([c.update(plain), c.final()]).toString('base64');
  }

  /** The message, after checking padding, length and that it was meant for this app id. */
  decrypt(encrypted: string): string {
    const d = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    d.setAutoPadding(false);
    const raw = Buffer.concat([d.update(Buffer.from(encrypted, 'base64')), d.final()]);
    const n = raw[raw.length - 1];
    if (!n || n > 32 || n > raw.length) throw new Error('bad padding');
    const plain = raw.subarray(0, raw.length - n);
    if (plain.length < 20) throw new Error('too short');
    const len = plain.readUInt32BE(16);
    if (20 + len > plain.length) throw new Error('bad length');
    const appId = plain.subarray(20 + len).toString('utf8');
    if (appId !== this.appId) throw new Error('message is for another app id');
    return plain.subarray(20, 20 + len).toString('utf8');
  }
}

function pad(b: Buffer): Buffer {
  const n = 32 - (b.length % 32);
  return Buffer.concat([b, Buffer.alloc(n, n)]);
}

export const msgSignature = (token: string, timestamp: string, nonce: string, encrypt: string) => sha1Sorted([token, timestamp, nonce, encrypt]);
