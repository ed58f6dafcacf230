import type { Config } from '../config/index.ts';
import type { Kv } from './kv.ts';
import { createMemoryKv } from './memory.ts';
import { createUpstashKv } from './upstash.ts';

export type { IncrOptions, Kv, SetOptions } from './kv.ts';
export { createMemoryKv, type MemoryKv, type MemoryKvOptions } from './memory.ts';
export { createUpstashKv, upstashClient, type UpstashKvOptions } from './upstash.ts';

/**
 * The {@link Kv} the configuration names: Redis over the Upstash REST protocol when `config.redis` is set,
 * otherwise this process's memory. Creating it connects to nothing; the first command does.
 *
 * @example
 * import { config } from '../config/index.ts';
 * const kv = createKv(config());
 * await kv.check(); // readiness
 */
export function createKv(config: Config): Kv {
  return config.redis ? createUpstashKv(config.redis) : createMemoryKv();
}
