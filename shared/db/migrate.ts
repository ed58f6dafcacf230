import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Sql } from './index.ts';

/** One forward-only migration file: `NNNN_name.sql` in the folder of the schema that owns it. */
export interface Migration {
  schema: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

// Bundles live in dist/, so the source layout cannot be found from this file: the root is where the process runs
// (the repo for npm scripts, /app in the image) unless MIGRATIONS_ROOT says otherwise.
const defaultRoot = () => resolve(process.env.MIGRATIONS_ROOT ?? process.cwd());

/**
 * Finds every migration: the platform's own (`shared/<module>/migrations`, schema = module) first, then one
 * schema per function (`functions/<name>/migrations`, schema = name with `-` as `_`).
 *
 * @example
 * const migrations = await discoverMigrations();
 */
export async function discoverMigrations(root = defaultRoot()): Promise<Migration[]> {
  const sets: { schema: string; dir: string }[] = [];
  for (const area of ['shared', 'functions']) {
    for (const name of (await listDirs(join(root, area))).sort()) {
      const schema = name.replaceAll('-', '_');
      if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error(`${area}/${name}: folder names must be kebab-case`);
      sets.push({ schema, dir: join(root, area, name, 'migrations') });
    }
  }
  const all: Migration[] = [];
  for (const { schema, dir } of sets) all.push(...(await readSet(schema, dir)));
  return all;
}

/** Reads one folder of migrations, ordered by version; a duplicate version or a badly named file is an error. */
export async function readSet(schema: string, dir: string): Promise<Migration[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort();
  const seen = new Set<number>();
  return Promise.all(
    files.map(async (file) => {
      const match = /^(\d+)_([a-z0-9_-]+)\.sql$/.exec(file);
      if (!match) throw new Error(`migration ${dir}/${file}: name it NNNN_description.sql`);
      const version = Number(match[1]);
      if (seen.has(version)) throw new Error(`migration ${dir}/${file}: version ${version} appears twice`);
      seen.add(version);
      const sql = await readFile(join(dir, file), 'utf8');
      return { schema, version, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies what has not been applied, in one transaction under an advisory lock (so concurrent migrators — two
 * replicas, a Job and a developer — run one after the other, and through PgBouncer in transaction mode, where a
 * session lock would not hold). An applied migration whose file changed is refused: migrations only go forward.
 *
 * @example
 * const applied = await migrate(db(), await discoverMigrations());
 */
export async function migrate(sql: Sql, migrations: Migration[]): Promise<Migration[]> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('consilium.migrate'))`;
    await tx`create schema if not exists platform`;
    await tx`
      create table if not exists platform.schema_migrations (
        schema text not null,
        version integer not null,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now(),
        primary key (schema, version)
      )`;
    const rows = await tx<{ schema: string; version: number; checksum: string }[]>`
      select schema, version, checksum from platform.schema_migrations`;
    const applied = new Map(rows.map((r) => [`${r.schema}/${r.version}`, r.checksum]));
    const pending: Migration[] = [];
    for (const m of migrations) {
      const checksum = applied.get(`${m.schema}/${m.version}`);
      if (checksum === undefined) pending.push(m);
      else if (checksum !== m.checksum) {
        throw new Error(`migration ${m.schema}/${m.version}_${m.name} changed after it was applied; add a new one instead`);
      }
    }
    for (const m of pending) {
      await tx.unsafe(`create schema if not exists "${m.schema}"`);
      await tx.unsafe(m.sql);
      await tx`
        insert into platform.schema_migrations ${tx({ schema: m.schema, version: m.version, name: m.name, checksum: m.checksum })}`;
    }
    return pending;
  }) as Promise<Migration[]>;
}

async function listDirs(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}
