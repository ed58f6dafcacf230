import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { findCase, insertCase, insertTimeline, listCases, timelineOf, updateStatus, type Cursor } from './queries.ts';

const draft = (ownerId: string) => ({
  id: randomUUID(),
  ownerId,
  title: 'A title',
  specialty: null,
  urgency: 'standard' as const,
  preferredProfessionalId: null,
  priceAmount: 29_000,
  priceCurrency: 'EUR' as const,
  questions: ['Why?'],
});

describe('cases queries', () => {
  after(() => closeDb());

  it('pages by (created_at, id) without skipping or repeating cases created at the same instant', async () => {
    const ownerId = `owner-${randomUUID()}`;
    // One transaction: now() is the same for all five, so only the id orders them.
    const ids = await transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) out.push((await insertCase(tx, draft(ownerId))).id);
      return out;
    });
    const seen: string[] = [];
    let after: Cursor | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await listCases(db(), { scope: { ownerId }, after, limit: 2 });
      const shown = rows.slice(0, 2);
      seen.push(...shown.map((r) => r.id));
      if (rows.length <= 2) break;
      after = { createdKey: shown.at(-1)!.createdKey, id: shown.at(-1)!.id };
    }
    assert.deepEqual(seen, [...ids].sort().reverse());
  });

  it('stores the price as an integer, questions as a list, and the timeline in order', async () => {
    const row = await transaction(async (tx) => {
      const created = await insertCase(tx, draft(`owner-${randomUUID()}`));
      await insertTimeline(tx, { caseId: created.id, status: 'draft', note: null });
      await updateStatus(tx, created.id, 'cancelled');
      await insertTimeline(tx, { caseId: created.id, status: 'cancelled', note: 'cancelled by the patient' });
      return created;
    });
    const found = await findCase(db(), row.id);
    assert.equal(Number(found!.priceAmount), 29_000);
    assert.deepEqual(found!.questions, ['Why?']);
    assert.equal(found!.status, 'cancelled');
    assert.deepEqual((await timelineOf(db(), row.id)).map((t) => t.status), ['draft', 'cancelled']);
  });

  it('refuses a status the lifecycle does not know', async () => {
    const row = await transaction((tx) => insertCase(tx, draft(`owner-${randomUUID()}`)));
    await assert.rejects(transaction((tx) => updateStatus(tx, row.id, 'lost' as never)), /check constraint/);
  });
});
