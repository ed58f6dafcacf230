import { loadConfig } from '../../shared/config/index.ts';
import { createSql, type Sql } from '../../shared/db/index.ts';
import { startEmbeddedPostgres } from '../../shared/db/embedded.ts';
import { discoverMigrations, migrate } from '../../shared/db/migrate.ts';
import { createScratchDatabase } from '../../test/services/database.ts';
import { servicesEnv } from '../../test/services/env.ts';
import { answers } from './net.ts';

/**
 * A migrated database for a benchmark run in this process: a scratch database of its own behind PgBouncer when it
 * answers (dropped after, so no run leaves rows behind), the one BENCH_DATABASE_URL names, or else an embedded
 * PGlite. `where` says which, for the report.
 *
 * @example
 * const bench = await benchDatabase('bench_matching', 20);
 * try { … bench.sql … } finally { await bench.close(); }
 */
export async function benchDatabase(name: string, poolMax: number): Promise<{ sql: Sql; where: string; close(): Promise<void> }> {
  const named = process.env.BENCH_DATABASE_URL;
  const reachable = await answers(named ?? servicesEnv.DATABASE_URL);
  const scratch = reachable && !named ? await createScratchDatabase(name) : undefined;
  const embedded = reachable ? undefined : await startEmbeddedPostgres();
  const url = embedded?.url ?? scratch?.url ?? named!;
  const sql = createSql(loadConfig({ DATABASE_URL: url, DATABASE_POOL_MAX: String(poolMax) }));
  await migrate(sql, await discoverMigrations());
  return {
    sql,
    where: embedded ? 'embedded PGlite' : 'PostgreSQL via PgBouncer',
    async close() {
      await sql.end({ timeout: 5 });
      await embedded?.stop();
      await scratch?.drop();
    },
  };
}
