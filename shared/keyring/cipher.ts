import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a fresh 96-bit nonce per value and a context bound in as associated data, so a sealed value
 * cannot be moved to another field, document or person. Two shapes: text (a compact string for table columns)
 * and bytes (for blobs).
 */
const TEXT_VERSION = 'v1';
/** "CSL" + format version 1: marks a sealed blob, so plaintext can never be mistaken for one. */
const BYTES_MAGIC = Buffer.from('CSL\x01', 'latin1');
const NONCE = 12;
const TAG = 16;

/**
 * Encrypts `plaintext` under `key`, bound to `context` (e.g. `user:<id>:name`).
 *
 * @example
 * const sealed = seal(dataKey, 'Ada Lovelace', `user:${id}:name`);
 */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const { nonce, tag, body } = encrypt(key, Buffer.from(plaintext, 'utf8'), context);
  return [TEXT_VERSION, nonce.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
}

/**
 * Decrypts what {@link seal} produced with the same key and context; throws when either differs or the value was altered.
 *
 * @example
 * const name = open(dataKey, row.nameSealed, `user:${id}:name`);
 */
export function open(key: Buffer, sealed: string, context: string): string {
  const [version, nonce, tag, body] = sealed.split('.');
  if (version !== TEXT_VERSION || !nonce || !tag || body === undefined) throw new Error('sealed value: unknown format');
  return decrypt(key, Buffer.from(nonce, 'base64url'), Buffer.from(tag, 'base64url'), Buffer.from(body, 'base64url'), context).toString('utf8');
}

/**
 * Encrypts bytes (a document, its extracted text) into one self-describing buffer: magic, nonce, tag, ciphertext.
 *
 * @example
 * await blobs.put(key, sealBytes(patientKey, pdf, `document:${documentId}`), 'application/octet-stream');
 */
export function sealBytes(key: Buffer, plaintext: Uint8Array, context: string): Buffer {
  const { nonce, tag, body } = encrypt(key, plaintext, context);
  return Buffer.concat([BYTES_MAGIC, nonce, tag, body]);
}

/**
 * Decrypts what {@link sealBytes} produced; throws when the key or context differs or a byte was changed.
 *
 * @example
 * const pdf = openBytes(patientKey, await blobs.get(key), `document:${documentId}`);
 */
export function openBytes(key: Buffer, sealed: Uint8Array, context: string): Buffer {
  const buffer = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (buffer.length < BYTES_MAGIC.length + NONCE + TAG || !buffer.subarray(0, BYTES_MAGIC.length).equals(BYTES_MAGIC)) {
    throw new Error('sealed bytes: unknown format');
  }
  const nonceAt = BYTES_MAGIC.length;
  const tagAt = nonceAt + NONCE;
  return decrypt(key, buffer.subarray(nonceAt, tagAt), buffer.subarray(tagAt, tagAt + TAG), buffer.subarray(tagAt + TAG), context);
}

function encrypt(key: Buffer, plaintext: Uint8Array, context: string): { nonce: Buffer; tag: Buffer; body: Buffer } {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, tag: cipher.getAuthTag(), body };
}

function decrypt(key: Buffer, nonce: Buffer, tag: Buffer, body: Buffer, context: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}
