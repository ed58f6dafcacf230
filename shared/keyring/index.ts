import { randomBytes } from 'node:crypto';
import type { Sql, Tx } from '../db/index.ts';
import { configuredKeyWrapper, type KeyWrapper } from './wrapper.ts';

export { open, openBytes, seal, sealBytes } from './cipher.ts';
export { configuredKeyWrapper, localKeyWrapper, type KeyWrapper } from './wrapper.ts';

/** The patient's key was shredded (erasure): their data can no longer be read, and nothing new is stored for them. */
export class KeyShreddedError extends Error {
  constructor(readonly ownerId: string) {
    super('the data key of this person was shredded');
    this.name = 'KeyShreddedError';
  }
}

type Db = Sql | Tx;

/** Data keys of patients: created on first use, unwrapped on each use, shredded on erasure. */
export interface Keyring {
  /** The owner's key, created when they have none; throws {@link KeyShreddedError} after erasure. */
  keyFor(sql: Db, ownerId: string): Promise<Buffer>;
  /** The owner's existing key, or `undefined` when they never had one or it was shredded. */
  existingKey(sql: Db, ownerId: string): Promise<Buffer | undefined>;
  /** Destroys the owner's key (idempotent); true when a key was destroyed now. */
  shred(sql: Db, ownerId: string): Promise<boolean>;
  /**
   * The owner's key for sealing new data, made when they have none, remembered for a few seconds by this process
   * (a patient adding records one after another costs one lookup, not one each); throws {@link KeyShreddedError}
   * after erasure. Safe to remember because an owner's key never changes — it is shredded or it is the same key —
   * and because the statement that stores what it sealed must check `keyring.key_is_live(owner_id)` (a SQL function,
   * migrations/0002_key_is_live.sql): then nothing is stored under a key shredded meanwhile, by any process.
   */
  sealingKeyFor(sql: Sql, ownerId: string): Promise<Buffer>;
}

interface KeyRow {
  wrapped: string | null;
  wrappedBy: string;
}

/** How long, and for how many owners, a process remembers sealing keys (`sealingKeyFor`). */
const SEALING_KEY_SECONDS = 30;
const SEALING_KEYS_REMEMBERED = 1000;

/**
 * A keyring whose keys are wrapped by `wrapper`; `previous` wrappers still unwrap keys they wrapped (master key
 * rotation). Keys are read from the database at every use — a shredded key stops working at once, in every
 process — except by `sealingKeyFor`, whose callers store only where `keyring.key_is_live` still holds.
 *
 * @example
 * const keyring = createKeyring();
 * const key = await keyring.keyFor(tx, caseRow.ownerId);
 * await blobs.put(blobKey, sealBytes(key, bytes, `document:${documentId}`), 'application/octet-stream');
 */
export function createKeyring(
  wrapper: KeyWrapper = configuredKeyWrapper(),
  previous: KeyWrapper[] = [],
  options: { sealingKeySeconds?: number; now?: () => number } = {},
): Keyring {
  const wrappers = new Map([wrapper, ...previous].map((w) => [w.id, w]));
  const remembered = new Map<string, { key: Buffer; until: number }>();
  const now = options.now ?? Date.now;
  const rememberMs = (options.sealingKeySeconds ?? SEALING_KEY_SECONDS) * 1000;

  async function unwrap(ownerId: string, row: KeyRow): Promise<Buffer> {
    if (row.wrapped === null) throw new KeyShreddedError(ownerId);
    const by = wrappers.get(row.wrappedBy);
    if (!by) throw new Error(`data key of ${ownerId} is wrapped by ${row.wrappedBy}, which this process does not have`);
    return by.unwrap(row.wrapped, ownerId);
  }

  async function find(sql: Db, ownerId: string): Promise<KeyRow | undefined> {
    const [row] = await sql<KeyRow[]>`select wrapped, wrapped_by from keyring.data_keys where owner_id = ${ownerId}`;
    return row;
  }

  async function keyFor(sql: Db, ownerId: string): Promise<Buffer> {
    const existing = await find(sql, ownerId);
    if (existing) return unwrap(ownerId, existing);
    const key = randomBytes(32);
    const wrapped = await wrapper.wrap(key, ownerId);
    // Two first uploads at once: one insert wins, the other reads the winner's key.
    const [created] = await sql<{ ownerId: string }[]>`
      insert into keyring.data_keys (owner_id, wrapped, wrapped_by) values (${ownerId}, ${wrapped}, ${wrapper.id})
      on conflict (owner_id) do nothing
      returning owner_id`;
    if (created) return key;
    return unwrap(ownerId, (await find(sql, ownerId))!);
  }

  return {
    keyFor,
    async existingKey(sql, ownerId) {
      const row = await find(sql, ownerId);
      return row?.wrapped ? unwrap(ownerId, row) : undefined;
    },
    async sealingKeyFor(sql, ownerId) {
      const known = remembered.get(ownerId);
      if (known && known.until > now()) return known.key;
      const key = await keyFor(sql, ownerId);
      // Oldest first out: a Map iterates in insertion order, and a renewed entry is inserted again.
      remembered.delete(ownerId);
      remembered.set(ownerId, { key, until: now() + rememberMs });
      if (remembered.size > SEALING_KEYS_REMEMBERED) remembered.delete(remembered.keys().next().value!);
      return key;
    },
    async shred(sql, ownerId) {
      remembered.delete(ownerId);
      // An owner who never had a key gets a shredded row too, so no key is ever created for them afterwards.
      const rows = await sql`
        insert into keyring.data_keys (owner_id, wrapped, wrapped_by, shredded_at) values (${ownerId}, null, 'shredded', now())
        on conflict (owner_id) do update set wrapped = null, shredded_at = now()
          where keyring.data_keys.wrapped is not null
        returning (xmax <> 0) as updated`;
      return rows.length === 1 && (rows[0] as { updated: boolean }).updated;
    },
  };
}

let shared: Keyring | undefined;

/**
 * The process's keyring, on the configured master key.
 *
 * @example
 * const key = await keyring().keyFor(tx, ownerId);
 */
export function keyring(): Keyring {
  return (shared ??= createKeyring());
}
