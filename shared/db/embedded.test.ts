import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import postgres from 'postgres';
import { openEmbeddedDatabase, startEmbeddedPostgres } from './embedded.ts';

const run = promisify(execFile);
const client = (url: string, max = 4) => postgres(url, { prepare: false, max, onnotice: () => {} });

describe('the embedded database', () => {
  it('serves many connections without interleaving their transactions', async () => {
    const pg = await startEmbeddedPostgres();
    const a = client(pg.url);
    const b = client(pg.url);
    try {
      await a`create table counter (id int primary key, n int not null)`;
      await a`insert into counter values (1, 0)`;
      // Read-modify-write without row locks: only correct if no other transaction runs in between.
      const bump = (sql: postgres.Sql) =>
        sql.begin(async (tx) => {
          const [row] = await tx`select n from counter where id = 1`;
          await new Promise((r) => setTimeout(r, 1));
          await tx`update counter set n = ${row!.n + 1} where id = 1`;
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? a : b)));
      const [row] = await a`select n from counter`;
      assert.equal(row!.n, 40);
      // Extended-protocol queries from two clients never get each other's parameters or results.
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b)`select ${i}::int + 1 as v, ${`s${i}`} as s`),
      );
      answers.forEach(([r], i) => assert.deepEqual({ v: r!.v, s: r!.s }, { v: i + 1, s: `s${i}` }));
    } finally {
      await Promise.all([a.end(), b.end()]);
      await pg.stop();
    }
  });

  it('rolls back the transaction of a client that vanished and serves the others', async () => {
    const pg = await startEmbeddedPostgres();
    const a = client(pg.url, 1);
    const b = client(pg.url, 1);
    try {
      await a`create table t (id int)`;
      const abandoned = a.begin(async (tx) => {
        await tx`insert into t values (1)`;
        await new Promise(() => {}); // never finishes: the client is killed below
      });
      abandoned.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
      await a.end({ timeout: 0 });
      const rows = await b`select count(*)::int as n from t`;
      assert.equal(rows[0]!.n, 0);
    } finally {
      await b.end();
      await pg.stop();
    }
  });

  it('lets a second process use the data directory through the process that holds it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'consilium-embedded-'));
    const held = await openEmbeddedDatabase(dir);
    assert.ok(held.owned, 'the first process owns the directory');
    const sql = client(held.url, 1);
    try {
      await sql`create table notes (body text)`;
      await sql`insert into notes values ('written by the holder')`;
      // A second process (the ops CLI, npm run migrate) joins instead of opening the files a second time.
      const script = `
        const { openEmbeddedDatabase } = await import(${JSON.stringify(new URL('./embedded.ts', import.meta.url).href)});
        const { default: postgres } = await import('postgres');
        const joined = await openEmbeddedDatabase(${JSON.stringify(dir)});
        const sql = postgres(joined.url, { prepare: false, max: 1 });
        const rows = await sql\`select body from notes\`;
        await sql\`insert into notes values ('written by the second process')\`;
        console.log(JSON.stringify({ owned: Boolean(joined.owned), rows: rows.map((r) => r.body) }));
        await sql.end();`;
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
      assert.deepEqual(JSON.parse(stdout), { owned: false, rows: ['written by the holder'] });
      const rows = await sql`select body from notes order by body desc`;
      assert.deepEqual(rows.map((r) => r.body), ['written by the second process', 'written by the holder']);
    } finally {
      await sql.end();
      await held.owned!.stop();
    }
    // Stopped cleanly: the lock is gone and the data is still there for the next holder.
    const next = await openEmbeddedDatabase(dir);
    const again = client(next.url, 1);
    try {
      assert.ok(next.owned);
      assert.equal((await again`select count(*)::int as n from notes`)[0]!.n, 2);
    } finally {
      await again.end();
      await next.owned!.stop();
    }
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'consilium-embedded-'));
    const dead = await run(process.execPath, ['-e', 'console.log(process.pid)']);
    await writeFile(join(dir, 'embedded.lock'), JSON.stringify({ pid: Number(dead.stdout), url: 'postgres://gone:1/x' }));
    const opened = await openEmbeddedDatabase(dir);
    try {
      assert.ok(opened.owned);
      assert.equal(JSON.parse(await readFile(join(dir, 'embedded.lock'), 'utf8')).pid, process.pid);
    } finally {
      await opened.owned!.stop();
    }
  });
});
