import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { config, type Config } from '../config/index.ts';
import { withSpan } from '../telemetry/index.ts';
import type { EmbeddedPostgres } from './embedded.ts';

export type Sql = postgres.Sql<{}>;
export type Tx = postgres.TransactionSql<{}>;

/**
 * Creates a postgres.js client for the configured database. Nothing connects until the first query.
 *
 * Pooler-safe by construction: no prepared statements (PgBouncer in transaction mode would hand them to another
 * client's server connection) and no session state; whatever must hold across statements runs in a transaction.
 * Without `DATABASE_URL` the driver's sockets lead to the embedded PGlite under `DATA_DIR`, started on first use.
 *
 * @example
 * const sql = createSql(loadConfig(process.env));
 * const [row] = await sql`select 1 as one`;
 */
export function createSql(cfg: Config): Sql & { stopEmbedded(): Promise<void> } {
  let embedded: Promise<{ url: string; owned?: EmbeddedPostgres }> | undefined;
  // Loaded only when used: a production bundle (DATABASE_URL set) never carries or starts PGlite.
  const embeddedUrl = () =>
    (embedded ??= import('./embedded.ts').then(({ openEmbeddedDatabase }) => openEmbeddedDatabase(join(cfg.dataDir, 'db'))));
  const options = {
    prepare: false,
    max: cfg.database?.poolMax ?? 10,
    // One query in flight per connection. Pipelined queries wedge a connection through PgBouncer in transaction
    // mode (seen with 1.18: the bytes behind the first pipelined query never reach a server), and the whole pool
    // then hangs; see porsager/postgres#970. Queries wait for a free connection instead.
    max_pipeline: 1,
    // Column names only: postgres.camel would also rewrite the keys inside jsonb values (event data, documents).
    transform: { column: { from: postgres.toCamel, to: postgres.fromCamel } },
    onnotice: () => {},
    connection: { application_name: 'consilium' },
  };
  const sql = cfg.database
    ? postgres(cfg.database.url, options)
    : postgres({
        ...options,
        username: 'postgres',
        database: 'postgres',
        socket: async () => {
          const { port } = new URL((await embeddedUrl()).url);
          // postgres.js's SocketLike is narrower than net.Socket's overloads; a connected net.Socket is what it expects.
          return (await connectTcp('127.0.0.1', Number(port))) as never;
        },
      });
  return Object.assign(sql, {
    async stopEmbedded() {
      if (embedded) await (await embedded).owned?.stop();
    },
  });
}

function connectTcp(host: string, port: number): Promise<Socket> {
  return new Promise((ok, fail) => {
    const socket = connect({ host, port });
    socket.once('connect', () => ok(socket));
    socket.once('error', fail);
  });
}

let shared: ReturnType<typeof createSql> | undefined;

/** The process's one database client, created on first use from {@link config}. */
export function db(): Sql {
  shared ??= createSql(config());
  return shared;
}

/** Ends the process's client (draining its queries) and stops the embedded database if this process owns it. */
export async function closeDb(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (!current) return;
  await current.end({ timeout: 5 });
  await current.stopEmbedded();
}

const afterCommitHooks = new WeakMap<Tx, (() => void)[]>();
const beforeCommitHooks = new WeakMap<Tx, (() => Promise<void>)[]>();

/**
 * Runs `work` in one transaction (traced), then runs what was registered with {@link afterCommit} — only if it
 * committed.
 *
 * @example
 * await transaction(async (tx) => {
 *   await tx`update cases.cases set status = 'triage' where id = ${id}`;
 *   await emit(tx, CaseTriagedV1, { source: 'cases', subject: id, data });
 * });
 */
export async function transaction<T>(work: (tx: Tx) => Promise<T>, sql: Sql = db()): Promise<T> {
  const hooks: (() => void)[] = [];
  const result = await withSpan('db.transaction', () =>
    sql.begin(async (tx) => {
      const finishing: (() => Promise<void>)[] = [];
      afterCommitHooks.set(tx, hooks);
      beforeCommitHooks.set(tx, finishing);
      const value = await work(tx);
      for (const hook of finishing) await hook();
      return value;
    }),
  );
  for (const hook of hooks) hook();
  return result as T;
}

/**
 * Registers work to run inside the transaction once `work` has returned, just before COMMIT (e.g. writing the
 * outbox rows collected during it in one statement). Returns false outside {@link transaction}, where the caller
 * must do the work at once.
 */
export function beforeCommit(tx: Tx, hook: () => Promise<void>): boolean {
  const hooks = beforeCommitHooks.get(tx);
  hooks?.push(hook);
  return hooks !== undefined;
}

/** Registers a side effect to run once the transaction commits (e.g. waking the outbox relay). No-op outside {@link transaction}. */
export function afterCommit(tx: Tx, hook: () => void): void {
  afterCommitHooks.get(tx)?.push(hook);
}

/**
 * Holds a lock named `key` until the transaction ends (a PostgreSQL advisory lock): transaction-scoped, so safe
 * behind PgBouncer in transaction mode. For serialising work on something that has no row of its own to lock (one
 * case's events across consumers, a weekly batch, key rotation).
 *
 * @example
 * await lockNamed(tx, `matching.case:${caseId}`);
 */
export async function lockNamed(tx: Sql | Tx, key: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
