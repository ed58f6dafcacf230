/**
 * The operator CLI: `npm run ops -- <command> [options]`. It talks to the configured database — in embedded mode
 * through the running platform when one holds the data directory, or by opening the directory itself when none
 * does (never both: see shared/db/embedded.ts).
 *
 *   migrate                                   apply pending migrations
 *   dead-letters [--consumer NAME] [--all]    list parked deliveries (ids, types, errors; never event data)
 *   replay ID                                 queue a parked delivery again (the platform delivers it)
 *   create-user --role ops --email E --password P [--name N]
 */
import { parseArgs } from 'node:util';
import { listDeadLetters, replayDeadLetter } from '../bus/dead-letters.ts';
import { closeDb, db } from '../db/index.ts';
import { discoverMigrations, migrate } from '../db/migrate.ts';

type Command = (args: string[]) => Promise<void>;

const commands: Record<string, Command> = {
  async migrate() {
    const applied = await migrate(db(), await discoverMigrations());
    console.log(`${applied.length} migration(s) applied`);
  },

  async 'dead-letters'(args) {
    const { values } = parseArgs({ args, options: { consumer: { type: 'string' }, all: { type: 'boolean' } } });
    const letters = await listDeadLetters(db(), { ...(values.consumer ? { consumer: values.consumer } : {}), all: values.all ?? false });
    if (letters.length === 0) return console.log('no dead letters');
    console.table(
      letters.map((l) => ({
        id: l.id,
        consumer: l.consumer,
        type: l.type,
        event: l.eventId,
        attempts: l.attempts,
        failed: l.failedAt.toISOString(),
        replayed: l.replayedAt?.toISOString() ?? '',
        error: l.lastError.slice(0, 60),
      })),
    );
  },

  async replay(args) {
    const [id] = parseArgs({ args, allowPositionals: true, options: {} }).positionals;
    if (!id || !/^\d+$/.test(id)) throw new UsageError('replay takes the id of a dead letter (see `dead-letters`)');
    if (!(await replayDeadLetter(db(), id))) throw new UsageError(`no open dead letter ${id}`);
    console.log(`dead letter ${id} queued for delivery`);
  },

  async 'create-user'(args) {
    const { values } = parseArgs({
      args,
      options: { role: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    });
    if (values.role !== 'ops') throw new UsageError('create-user makes ops accounts only: --role ops (patients and professionals register through the API)');
    if (!values.email || !values.password) throw new UsageError('create-user needs --email and --password');
    // Loaded on demand so the other commands work without the identity function's dependencies.
    const { createUser } = await import('../../functions/identity/ops.ts');
    const user = await createUser(db(), { role: 'ops', email: values.email, password: values.password, ...(values.name ? { name: values.name } : {}) });
    console.log(`ops user ${user.id} created`);
  },

  async analyse(files) {
    if (files.length === 0) throw new UsageError('analyse takes one or more text or PDF files');
    // The built-in analyser only (offline): one JSON object per file on stdout.
    const { analyseFiles } = await import('../../functions/ai/ops.ts');
    if ((await analyseFiles(files)) > 0) process.exitCode = 1;
  },
};

class UsageError extends Error {}

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
try {
  if (!command) throw new UsageError(`usage: npm run ops -- <${Object.keys(commands).join('|')}> [options]`);
  // Idempotent and cheap: every command then finds the schema it expects, even on a fresh data directory.
  if (name !== 'migrate') await migrate(db(), await discoverMigrations());
  await command(rest);
} catch (error) {
  console.error(error instanceof UsageError ? error.message : `ops: ${(error as Error).message}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
} finally {
  await closeDb();
}
