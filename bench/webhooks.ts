import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Stripe from 'stripe';
import { transaction, type Sql } from '../shared/db/index.ts';
import { ingest } from '../functions/payments/ingest.ts';
import { paymentSettings } from '../functions/payments/settings.ts';
import { stripeNotice } from '../functions/payments/webhook-stripe.ts';
import { measured, type Row } from './support/report.ts';
import { benchDatabase } from './support/database.ts';

export interface WebhooksBenchOptions {
  /** Webhooks per side and round (each captures a payment of its own). */
  events: number;
  /** Webhooks in flight at once, on both sides. */
  concurrency: number;
  rounds: number;
}

export const webhooksDefaults: WebhooksBenchOptions = { events: 600, concurrency: 16, rounds: 2 };

const SECRET = 'whsec_bench';
const webhooks = new Stripe('sk_bench_unused').webhooks;

/**
 * Stripe webhook ingestion (SDK signature check over the raw body + dedupe + payment state machine + invoice
 * number + ledger entry + outbox row, one transaction) in req/s, vs the same SQL statements run directly in one
 * transaction each at the same concurrency on the same database. Target ≥ 0.5. PostgreSQL through PgBouncer when it
 * answers (BENCH_DATABASE_URL overrides), else an embedded PGlite.
 *
 * @example
 * const rows = await benchWebhooks(webhooksDefaults);
 */
export async function benchWebhooks(options: WebhooksBenchOptions = webhooksDefaults): Promise<Row[]> {
  const { sql, where, close } = await benchDatabase('bench_webhooks', Math.max(options.concurrency, 10));
  try {
    const settings = paymentSettings({ sandbox: true, stripe: { secretKey: 'sk_bench', webhookSecret: SECRET, toleranceSeconds: 300 } });
    const ours: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < options.rounds; r++) {
      // Alternated, so drift of the machine or the database hits both sides alike.
      const a = await seed(sql, options.events);
      ours.push(await run(a, options.concurrency, async (p) => {
        const payload = JSON.stringify({ id: `evt_${p.id}`, object: 'event', type: 'payment_intent.succeeded', data: { object: { id: p.ref, amount: 10_000, currency: 'eur', metadata: { paymentId: p.id } } } });
        const header = webhooks.generateTestHeaderString({ payload, secret: SECRET });
        const event = webhooks.constructEvent(payload, header, SECRET, 300);
        const outcome = await transaction((tx) => ingest(tx, settings, stripeNotice(event as never)), sql);
        if (outcome !== 'applied') throw new Error(`webhook not applied: ${outcome}`);
      }));
      const b = await seed(sql, options.events);
      base.push(await run(b, options.concurrency, (p) => sameSql(sql, p)));
    }
    const best = (xs: number[]) => Math.max(...xs);
    return [
      measured('payments: webhook ingestion', 'req/s', best(ours), best(base), { op: '>=', value: 0.5 }, {
        note: `${options.events} signed payment_intent.succeeded per round, ${options.concurrency} in flight: verify + dedupe + state + invoice + ledger + outbox vs the same SQL in one transaction (${where})`,
        details: { ours, base },
      }),
    ];
  } finally {
    await close();
  }
}

interface Seeded {
  id: string;
  ref: string;
  caseId: string;
}

async function seed(sql: Sql, n: number): Promise<Seeded[]> {
  const rows = Array.from({ length: n }, () => ({ id: randomUUID(), ref: `pi_${randomUUID().replaceAll('-', '')}`, caseId: randomUUID() }));
  await sql`insert into payments.cases ${sql(rows.map((r) => ({ caseId: r.caseId, ownerId: 'bench', status: 'awaiting_payment', priceAmount: 10_000, priceCurrency: 'EUR', urgency: 'standard', patientCountry: 'DE' })))}`;
  await sql`insert into payments.payments ${sql(rows.map((r) => ({ id: r.id, caseId: r.caseId, ownerId: 'bench', gateway: 'stripe', gatewayRef: r.ref, amount: 10_000, currency: 'EUR', country: 'DE', ip: 'bench' })))}`;
  return rows;
}

/** Requests per second for `work` over every seeded payment, `concurrency` at a time. */
async function run(items: Seeded[], concurrency: number, work: (p: Seeded) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
  return items.length / ((performance.now() - start) / 1000);
}

/** The statements ingest runs for a capture, written out by hand: the floor the function is measured against. */
async function sameSql(sql: Sql, p: Seeded): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into payments.gateway_events (gateway, event_key, kind, amount, currency, outcome) values ('stripe', ${`evt_${p.id}`}, 'succeeded', 10000, 'EUR', 'received') on conflict do nothing`;
    await tx`select * from payments.payments where id = ${p.id} for update`;
    await tx`update payments.payments set status = 'captured', updated_at = now() where id = ${p.id}`;
    await tx`select * from payments.invoices where payment_id = ${p.id}`;
    const [counter] = await tx<{ last: number }[]>`
      insert into payments.invoice_counters (year, last) values (2100, 1) on conflict (year) do update set last = payments.invoice_counters.last + 1 returning last`;
    await tx`insert into payments.invoices (id, number, year, seq, payment_id, case_id, owner_id, country, currency, net, tax, gross, vat_rate_bp)
      values (${randomUUID()}, ${`2100-${counter!.last}`}, 2100, ${counter!.last}, ${p.id}, ${p.caseId}, 'bench', 'DE', 'EUR', 8403, 1597, 10000, 1900)`;
    const [entry] = await tx<{ id: string }[]>`
      insert into payments.journal_entries (kind, ref, payment_id, case_id, country, currency) values ('capture', ${p.id}, ${p.id}, ${p.caseId}, 'DE', 'EUR') on conflict do nothing returning id`;
    await tx`insert into payments.journal_lines (entry_id, account, debit, credit) values
      (${entry!.id}, 'deferred_revenue', 0, 8403), (${entry!.id}, 'gateway_clearing', 10000, 0), (${entry!.id}, 'vat_payable', 0, 1597)`;
    await tx`insert into bus.outbox (id, source, type, subject, time, data) values (${randomUUID()}, 'payments', 'payment.captured.v1', ${p.caseId}, now(), ${tx.json({ paymentId: p.id })})`;
    await tx`update payments.gateway_events set outcome = 'applied', payment_id = ${p.id} where gateway = 'stripe' and event_key = ${`evt_${p.id}`}`;
  });
}
