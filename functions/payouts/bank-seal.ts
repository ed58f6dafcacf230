import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { config } from '../../shared/config/index.ts';

/**
 * Bank details at rest: AES-256-GCM with a random 96-bit nonce per value, stored as
 * `v1.<nonce>.<ciphertext>.<tag>` (base64url). The professional id is bound as additional data, so a sealed
 * value copied onto another professional's row does not open.
 */

export interface BankDetails {
  iban: string;
  bic: string | null;
  accountHolderName: string;
}

// Outside production, with no DATA_MASTER_KEY set, a fixed development key (production refuses to start without one).
const DEVELOPMENT_KEY = Buffer.alloc(32, 'consilium-development-payouts-key');

/**
 * The default sealing key: derived (HKDF-SHA256) from `DATA_MASTER_KEY`, so payouts needs no setting of its own
 * and never uses the master key directly.
 *
 * @example
 * const key = defaultBankKey(); // 32 bytes
 */
export function defaultBankKey(): Buffer {
  const master = config().dataMasterKey ? Buffer.from(config().dataMasterKey!, 'base64') : DEVELOPMENT_KEY;
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'consilium/payouts/bank-details/v1', 32));
}

/**
 * Encrypts `details` for `professionalId`.
 *
 * @example
 * const sealed = sealBank(key, 'pro-1', { iban: 'DE89370400440532013000', bic: null, accountHolderName: 'Dr Jane Doe' });
 */
export function sealBank(key: Buffer, professionalId: string, details: BankDetails): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(professionalId));
  const body = Buffer.concat([cipher.update(JSON.stringify(details), 'utf8'), cipher.final()]);
  return ['v1', nonce, body, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/**
 * Decrypts what {@link sealBank} made for the same professional; throws when the value was altered, belongs to
 * someone else or was sealed with another key.
 *
 * @example
 * openBank(key, 'pro-1', sealed).iban; // 'DE89370400440532013000'
 */
export function openBank(key: Buffer, professionalId: string, sealed: string): BankDetails {
  const [version, nonce, body, tag] = sealed.split('.');
  if (version !== 'v1' || !nonce || body === undefined || !tag) throw new Error('not a sealed bank account');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(professionalId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as BankDetails;
}
