import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { uniqueName } from '../../test/support/names.ts';
import { afterCommit, closeDb, db, transaction } from './index.ts';
import { migrate, readSet } from './migrate.ts';

after(() => closeDb());

async function migrationFolder(schema: string, files: Record<string, string>): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'consilium-migrations-')), schema);
  await mkdir(dir, { recursive: true });
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

describe('migrations', () => {
  it('apply once, in order, into their own schema', async () => {
    const schema = uniqueName('m').replace('-', '_');
    const dir = await migrationFolder(schema, {
      '0001_things.sql': `create table ${schema}.things (id int primary key, name text not null);`,
      '0002_more.sql': `alter table ${schema}.things add column size int not null default 0;`,
    });
    const set = await readSet(schema, dir);
    assert.deepEqual((await migrate(db(), set)).map((m) => m.version), [1, 2]);
    assert.deepEqual(await migrate(db(), set), []);
    await db()`insert into ${db()(schema)}.things (id, name, size) values (1, 'a', 2)`;
    const [row] = await db()`select size from ${db()(schema)}.things`;
    assert.equal(row!.size, 2);
  });

  it('run one migrator at a time when several start together', async () => {
    const schema = uniqueName('m').replace('-', '_');
    const dir = await migrationFolder(schema, {
      '0001_counter.sql': `create table ${schema}.counter (n int); insert into ${schema}.counter values (1);`,
    });
    const set = await readSet(schema, dir);
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(db(), set)));
    assert.equal(results.flat().length, 1, 'exactly one migrator applied it');
    const [row] = await db()`select count(*)::int as n from ${db()(schema)}.counter`;
    assert.equal(row!.n, 1);
  });

  it('refuse a migration edited after it was applied, and roll back a failing one whole', async () => {
    const schema = uniqueName('m').replace('-', '_');
    const dir = await migrationFolder(schema, { '0001_a.sql': `create table ${schema}.a (id int);` });
    await migrate(db(), await readSet(schema, dir));
    await writeFile(join(dir, '0001_a.sql'), `create table ${schema}.a (id bigint);`);
    await assert.rejects(migrate(db(), await readSet(schema, dir)), /changed after it was applied/);

    const broken = await migrationFolder(schema, {
      '0001_a.sql': `create table ${schema}.a (id int);`,
      '0002_b.sql': `create table ${schema}.b (id int);`,
      '0003_c.sql': `create table ${schema}.c (id int references nowhere);`,
    });
    await writeFile(join(broken, '0001_a.sql'), `create table ${schema}.a (id int);`);
    await assert.rejects(migrate(db(), await readSet(schema, broken)));
    const [table] = await db()`select to_regclass(${`${schema}.b`}) as b`;
    assert.equal(table!.b, null, 'nothing of the failed run is kept');
  });

  it('refuse badly named files', async () => {
    const dir = await migrationFolder('bad', { 'create-things.sql': 'select 1;' });
    await assert.rejects(readSet('bad', dir), /NNNN_description\.sql/);
  });
});

describe('transactions', () => {
  it('keep nothing of a transaction that failed, and run after-commit hooks only on commit', async () => {
    const schema = uniqueName('m').replace('-', '_');
    const dir = await migrationFolder(schema, { '0001_t.sql': `create table ${schema}.t (id int primary key);` });
    await migrate(db(), await readSet(schema, dir));
    const table = db()(`${schema}.t`);
    const ran: string[] = [];
    await assert.rejects(
      transaction(async (tx) => {
        afterCommit(tx, () => ran.push('failed'));
        await tx`insert into ${table} values (1)`;
        await tx`insert into ${table} values (1)`;
      }),
    );
    await transaction(async (tx) => {
      afterCommit(tx, () => ran.push('committed'));
      await tx`insert into ${table} values (2)`;
    });
    const rows = await db()`select id from ${table} order by id`;
    assert.deepEqual(rows.map((r) => r.id), [2]);
    assert.deepEqual(ran, ['committed']);
  });
});

describe('the pool', () => {
  it('never hangs when many plain queries and transactions share it (no pipelining through the pooler)', async () => {
    // Through PgBouncer in transaction mode, queries pipelined behind a busy one used to wedge their connection.
    const padding = 'x'.repeat(3000);
    const started = Date.now();
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all([
        ...Array.from({ length: 60 }, (_, i) => db()<{ n: number }[]>`select ${i}::int as n, length(${padding}::text) as l`.then(([row]) => row!.n)),
        ...Array.from({ length: 10 }, () => transaction(async (tx) => (await tx<{ n: number }[]>`select 1 as n`)[0]!.n)),
      ]);
      assert.equal(answers.length, 70);
      assert.equal(answers[59], 59);
    }
    assert.ok(Date.now() - started < 60_000);
  });
});
