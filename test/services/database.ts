import postgres from 'postgres';
import { directPostgresUrl, servicesEnv } from './env.ts';

/**
 * Creates a database of its own on the machine's PostgreSQL (owned by the pooler's user) and returns its URL
 * through PgBouncer, so a test run or a benchmark never inherits another's schema or rows. Drop it with the
 * returned `drop`.
 *
 * @example
 * const { url, drop } = await createScratchDatabase('run');
 * try { … } finally { await drop(); }
 */
export async function createScratchDatabase(purpose: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `consilium_${purpose}_${process.pid}_${Date.now()}`;
  const pooled = new URL(servicesEnv.DATABASE_URL);
  await admin((sql) => sql.unsafe(`create database ${name} owner ${pooled.username}`));
  pooled.pathname = `/${name}`;
  return {
    url: pooled.href,
    drop: () => admin((sql) => sql.unsafe(`drop database if exists ${name} with (force)`)),
  };
}

async function admin(work: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres(directPostgresUrl, { max: 1, onnotice: () => {} });
  try {
    await work(sql);
  } finally {
    await sql.end();
  }
}
