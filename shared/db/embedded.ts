import { mkdir, readFile, rename, rm, writeFile, link } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { SessionGate } from './session-gate.ts';

/** A running embedded database: PGlite served over a loopback socket to the ordinary Postgres driver. */
export interface EmbeddedPostgres {
  /** A `postgres://` URL any client (postgres.js, psql) can use. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (in memory when `dataDir` is undefined) and serves it on 127.0.0.1 through pglite-socket, with a
 * {@link SessionGate} so many connections can share it safely.
 *
 * @example
 * const pg = await startEmbeddedPostgres({ dataDir: '.data/pgdata' });
 * const sql = postgres(pg.url, { prepare: false });
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  // Imported here, not at the top: bundles leave PGlite out, and only a process without DATABASE_URL loads it.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketHandler } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const gate = new SessionGate(db);
  const server: Server = createServer((socket) => {
    // pglite-socket types its queue as its own class; the gate implements the same three methods.
    const handler = new PGLiteSocketHandler({ queryQueue: gate as never, closeOnDetach: true });
    void handler.attach(socket);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('embedded Postgres has no TCP address');
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    async stop() {
      await new Promise<void>((ok) => server.close(() => ok()));
      await db.close();
    },
  };
}

interface LockRecord {
  pid: number;
  url?: string;
}

/**
 * Opens the embedded database kept under `dataDir`, or joins the process that already holds it.
 *
 * Only one process may open a PGlite data directory. The first takes `embedded.lock` (created atomically), starts
 * the server and writes its URL into the lock; any later process (the ops CLI, `npm run migrate`) finds the
 * holder alive and connects to its URL instead of opening the files a second time. A lock left by a dead process
 * is taken over.
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<{ url: string; owned?: EmbeddedPostgres }> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const lockPath = join(dir, 'embedded.lock');
  for (let attempt = 0; attempt < 300; attempt++) {
    if (await tryCreate(lockPath, { pid: process.pid })) {
      try {
        const owned = await startEmbeddedPostgres({ dataDir: join(dir, 'pgdata') });
        await writeAtomically(lockPath, { pid: process.pid, url: owned.url });
        const stop = owned.stop;
        owned.stop = async () => {
          await stop();
          await rm(lockPath, { force: true });
        };
        return { url: owned.url, owned };
      } catch (error) {
        await rm(lockPath, { force: true });
        throw error;
      }
    }
    const holder = await readLock(lockPath);
    if (holder && !isAlive(holder.pid)) {
      await rm(lockPath, { force: true });
      continue;
    }
    if (holder?.url) return { url: holder.url };
    await new Promise((r) => setTimeout(r, 100)); // the holder is still starting
  }
  throw new Error(`embedded database in ${dir} is held by another process that never became ready`);
}

async function tryCreate(path: string, record: LockRecord): Promise<boolean> {
  const temp = `${path}.${process.pid}.${Date.now()}`;
  await writeFile(temp, JSON.stringify(record));
  try {
    await link(temp, path); // atomic: fails when the lock exists, and a reader never sees a half-written file
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

async function writeAtomically(path: string, record: LockRecord): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(record));
  await rename(temp, path);
}

async function readLock(path: string): Promise<LockRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
