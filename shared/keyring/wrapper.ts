import { createHash } from 'node:crypto';
import { config, ConfigError, type Config } from '../config/index.ts';
import { open, seal } from './cipher.ts';

/**
 * Wraps and unwraps data keys with a key the application never stores next to the data: the seam where a cloud
 * KMS (AWS KMS Encrypt/Decrypt, Azure Key Vault wrapKey, GCP Cloud KMS) plugs in. `id` is stored with every
 * wrapped key, so keys wrapped by an older master stay readable while new ones use the current one.
 */
export interface KeyWrapper {
  readonly id: string;
  wrap(key: Buffer, context: string): Promise<string>;
  unwrap(wrapped: string, context: string): Promise<Buffer>;
}

/**
 * A wrapper whose master key comes from configuration (AES-256-GCM).
 *
 * @example
 * const wrapper = localKeyWrapper(Buffer.from(process.env.DATA_MASTER_KEY!, 'base64'));
 */
export function localKeyWrapper(master: Buffer, id = `local:${createHash('sha256').update(master).digest('hex').slice(0, 8)}`): KeyWrapper {
  if (master.length !== 32) throw new Error('a master key is 32 bytes');
  return {
    id,
    wrap: async (key, context) => seal(master, key.toString('base64'), `data-key:${context}`),
    unwrap: async (wrapped, context) => Buffer.from(open(master, wrapped, `data-key:${context}`), 'base64'),
  };
}

/** Only for development and tests: a fixed key anyone can derive; in production a function that stores health data refuses to start its keyring without DATA_MASTER_KEY. */
const DEVELOPMENT_MASTER_KEY = createHash('sha256').update('consilium development data master key — never for real data').digest();

/**
 * The wrapper configuration asks for: `DATA_MASTER_KEY`, or the development key outside production.
 *
 * @example
 * const wrapper = configuredKeyWrapper();
 */
export function configuredKeyWrapper(cfg: Config = config()): KeyWrapper {
  if (cfg.dataMasterKey) return localKeyWrapper(Buffer.from(cfg.dataMasterKey, 'base64'));
  if (cfg.production) throw new ConfigError(['DATA_MASTER_KEY: required in production (wraps the keys that encrypt health data)']);
  return localKeyWrapper(DEVELOPMENT_MASTER_KEY, 'local:development');
}
