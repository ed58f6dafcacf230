import { createHash, randomBytes } from 'node:crypto';
import { config, ConfigError, type Config } from '../../shared/config/index.ts';
import { open, seal } from '../../shared/keyring/cipher.ts';

/**
 * Envelope encryption for personal data: each person has a random data key, stored only wrapped (sealed) by the
 * master key; their name, phone, licence number and TOTP secret are sealed with it. Shredding the wrapped key
 * erases all of it, backups included. The cipher (AES-256-GCM, purpose bound in as associated data) is the
 * platform's one, in shared/keyring/cipher.ts.
 */
export { open, seal };

/** Only for development and tests: a fixed key anyone can derive, refused in production. */
const DEVELOPMENT_MASTER_KEY = createHash('sha256').update('consilium development master key — never for real data').digest();

/**
 * The master key from `IDENTITY_MASTER_KEY`; outside production, a fixed development key when unset.
 *
 * @example
 * const key = masterKey(config());
 */
export function masterKey(cfg: Config = config()): Buffer {
  if (cfg.auth.masterKey) return Buffer.from(cfg.auth.masterKey, 'base64');
  if (cfg.production) throw new ConfigError(['IDENTITY_MASTER_KEY: required in production (encrypts personal data)']);
  return DEVELOPMENT_MASTER_KEY;
}

/**
 * A new random data key for person `userId`: the key itself, and its wrapped form to store.
 *
 * @example
 * const { key, wrapped } = newDataKey(userId);
 */
export function newDataKey(userId: string, master: Buffer = masterKey()): { key: Buffer; wrapped: string } {
  const key = randomBytes(32);
  return { key, wrapped: seal(master, key.toString('base64'), `data-key:${userId}`) };
}

/**
 * Unwraps a stored data key.
 *
 * @example
 * const key = unwrapDataKey(row.id, row.dataKey);
 */
export function unwrapDataKey(userId: string, wrapped: string, master: Buffer = masterKey()): Buffer {
  return Buffer.from(open(master, wrapped, `data-key:${userId}`), 'base64');
}

/** A person's data key, bound to their id, with field-level helpers. */
export interface PersonCipher {
  seal(field: string, plaintext: string): string;
  open(field: string, sealed: string): string;
}

/**
 * Seals and opens a person's fields under their data key; the field name is part of the associated data.
 *
 * @example
 * const cipher = personCipher(userId, key);
 * const nameSealed = cipher.seal('name', 'Ada');
 */
export function personCipher(userId: string, key: Buffer): PersonCipher {
  return {
    seal: (field, plaintext) => seal(key, plaintext, `user:${userId}:${field}`),
    open: (field, sealed) => open(key, sealed, `user:${userId}:${field}`),
  };
}
