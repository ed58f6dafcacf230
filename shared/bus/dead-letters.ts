import type { Sql } from '../db/index.ts';

export interface DeadLetter {
  id: string;
  consumer: string;
  eventId: string;
  type: string;
  attempts: number;
  lastError: string;
  failedAt: Date;
  replayedAt: Date | null;
}

/**
 * Lists parked deliveries, newest first (open ones only unless `all`). Carries ids, types and errors — not the
 * event data, which may hold health data.
 */
export async function listDeadLetters(sql: Sql, options: { consumer?: string; all?: boolean; limit?: number } = {}): Promise<DeadLetter[]> {
  return sql<DeadLetter[]>`
    select id, consumer, event_id, type, attempts, last_error, failed_at, replayed_at
    from bus.dead_letters
    where true
      ${options.all ? sql`` : sql`and replayed_at is null`}
      ${options.consumer ? sql`and consumer = ${options.consumer}` : sql``}
    order by id desc
    limit ${options.limit ?? 100}`;
}

/**
 * Puts a parked delivery back on the delivery queue (with a fresh attempt budget) and marks it replayed, in one
 * transaction; replaying the same dead letter twice queues it once.
 *
 * @returns false when there is no open dead letter with that id
 */
export async function replayDeadLetter(sql: Sql, id: string | number): Promise<boolean> {
  return (await sql.begin(async (tx) => {
    const [letter] = await tx<{ consumer: string; eventId: string; envelope: unknown }[]>`
      update bus.dead_letters set replayed_at = now()
      where id = ${String(id)} and replayed_at is null
      returning consumer, event_id, envelope`;
    if (!letter) return false;
    await tx`
      insert into bus.deliveries (consumer, event_id, envelope)
      values (${letter.consumer}, ${letter.eventId}, ${tx.json(letter.envelope as never)})
      on conflict (consumer, event_id) do update set attempts = 0, next_attempt_at = now(), leased_until = null`;
    return true;
  })) as boolean;
}
