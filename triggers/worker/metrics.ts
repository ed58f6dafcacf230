import { Hono } from 'hono';
import type { Sql } from '../../shared/db/index.ts';

/** A Prometheus label value, escaped. */
const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * `GET /metrics` in the Prometheus text format: open dead letters per consumer and outbox rows not yet relayed —
 * the bus numbers infra's dashboards and alerts read (infra/observability/metrics.ts). Computed per scrape from
 * the tables (both are small and indexed on exactly these conditions).
 *
 * @example
 * app.route('/', busMetricsRoutes(db));
 */
export function busMetricsRoutes(sql: () => Sql): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const letters = await sql()<{ consumer: string; n: number }[]>`
      select consumer, count(*)::int as n from bus.dead_letters where replayed_at is null group by consumer order by consumer`;
    const [pending] = await sql()<{ n: number }[]>`select count(*)::int as n from bus.outbox where published_at is null`;
    const lines = [
      '# HELP consilium_bus_dead_letters Dead letters not yet replayed, by consumer.',
      '# TYPE consilium_bus_dead_letters gauge',
      ...letters.map((l) => `consilium_bus_dead_letters{consumer="${label(l.consumer)}"} ${l.n}`),
      '# HELP consilium_bus_outbox_pending Outbox rows not yet relayed to JetStream.',
      '# TYPE consilium_bus_outbox_pending gauge',
      `consilium_bus_outbox_pending ${pending?.n ?? 0}`,
    ];
    return c.text(`${lines.join('\n')}\n`, 200, { 'content-type': 'text/plain; version=0.0.4' });
  });
  return app;
}
