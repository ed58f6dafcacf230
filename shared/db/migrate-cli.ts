// `npm run migrate` (and the deploy Job): apply every pending migration, print what was applied, exit.
import { configOrExit } from '../config/index.ts';
import { closeDb, db } from './index.ts';
import { discoverMigrations, migrate } from './migrate.ts';

const cfg = configOrExit();
try {
  const applied = await migrate(db(), await discoverMigrations());
  for (const m of applied) console.log(`applied ${m.schema}/${String(m.version).padStart(4, '0')}_${m.name}`);
  console.log(`${applied.length} migration(s) applied to the ${cfg.database ? 'configured' : 'embedded'} database`);
} finally {
  await closeDb();
}
