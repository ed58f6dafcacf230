/**
 * `npm run bench`: every speed target of the platform, each measured side by side with its baseline in this one
 * run (so the machine's speed cancels out), printed as a table and written to bench/.results/latest.json.
 * A missed target is a finding, not a failure: the exit code is non-zero only when a benchmark could not run.
 *
 * Options (environment): BENCH_ONLY=healthz,cold-start,outbox,login,auth,upload,pipeline,matching,triage to run some; BENCH_QUICK=1 for shorter runs.
 */
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { authDefaults, benchAuth } from './auth.ts';
import { benchColdStart, coldStartDefaults } from './cold-start.ts';
import { benchHealthz, healthzDefaults } from './healthz.ts';
import { benchLogin, loginDefaults } from './login.ts';
import { benchOutbox, outboxDefaults } from './outbox.ts';
import { killAll } from './support/children.ts';
import { formatTable, writeJson, type Row } from './support/report.ts';

const quick = process.env.BENCH_QUICK === '1';
const benchmarks: Record<string, () => Promise<Row[]>> = {
  healthz: () => benchHealthz(quick ? { ...healthzDefaults, seconds: 2, warmupSeconds: 1, rounds: 1 } : healthzDefaults),
  'cold-start': () => benchColdStart(quick ? { repeats: 3 } : coldStartDefaults),
  outbox: () => benchOutbox(quick ? { events: 300, batch: 50, rounds: 1, singles: 20 } : outboxDefaults),
  login: () => benchLogin(quick ? { ...loginDefaults, seconds: 2, warmupSeconds: 1, rounds: 1 } : loginDefaults),
  auth: () => benchAuth(quick ? { ...authDefaults, seconds: 2, warmupSeconds: 1, rounds: 1 } : authDefaults),
  matching: async () => (await import('./matching.ts')).benchMatching(quick ? { professionals: 10_000, selections: 10, singles: 20, contendedRounds: 5 } : undefined),
  // Loaded only when run: pdf.js and tesseract.js stay out of the other benchmarks' process.
  pipeline: async () => (await import('./pipeline.ts')).benchPipeline(quick ? { textPages: 20, textRounds: 2, ocrPages: 1 } : undefined),
  upload: async () => (await import('./upload.ts')).benchUpload(quick ? { uploads: 40, concurrency: 8, rounds: 1, warmups: 1 } : undefined),
  triage: async () => (await import('./triage.ts')).benchTriage(quick ? { seconds: 1 } : undefined),
  webhooks: async () => (await import('./webhooks.ts')).benchWebhooks(quick ? { events: 150, concurrency: 16, rounds: 1 } : undefined),
};
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !(name in benchmarks)) ?? [];
if (unknown.length) throw new Error(`BENCH_ONLY: no benchmark named ${unknown.join(', ')} (known: ${Object.keys(benchmarks).join(', ')})`);

// Interrupted (Ctrl-C, a CI timeout): stop the servers we started before going, then exit as the signal would.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => void killAll().finally(() => process.exit(code)));
}

const rows: Row[] = [];
try {
  for (const [name, bench] of Object.entries(benchmarks)) {
    if (only && !only.includes(name)) continue;
    process.stderr.write(`[bench] ${name}…\n`);
    try {
      rows.push(...(await bench()));
    } catch (error) {
      // One broken benchmark must not hide the others' numbers.
      rows.push({ name, unit: '', status: 'ERROR', note: (error as Error).message });
    } finally {
      await killAll();
    }
  }
} finally {
  await killAll();
}

console.log(formatTable(rows));
const out = fileURLToPath(new URL('.results/latest.json', import.meta.url));
await writeJson(out, rows, {
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  quick,
});
console.log(`\nwritten to ${out}`);
if (rows.some((r) => r.status === 'ERROR')) process.exitCode = 1;
