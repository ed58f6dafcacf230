import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { CaseCancelledV1, CaseCreatedV1, CaseReadV1 } from '../../events/case.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import { SPECIALTIES, type Specialty } from '../../shared/auth/specialties.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { keyring, open } from '../../shared/keyring/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { documentsOf } from './document-queries.ts';
import { documentView, filenameContext } from './documents.ts';
import { idParam, isUuid } from '../../shared/http/ids.ts';
import { STAGE_OF } from './lifecycle.ts';
import { applyMove } from './move.ts';
import { CURRENCIES, priceOf, turnaroundOf, URGENCIES, type Currency } from './pricing.ts';
import { caseFor } from './access.ts';
import { insertCase, insertTimeline, listCases, timelineOf, type CaseRow, type Cursor, type ListScope, type TimelineRow } from './queries.ts';

const Text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max));

const CreateCase = v.object({
  title: Text(200),
  questions: v.pipe(v.array(Text(2000)), v.minLength(1, 'ask between 1 and 10 questions'), v.maxLength(10, 'ask between 1 and 10 questions')),
  specialty: v.optional(v.picklist(SPECIALTIES)),
  urgency: v.optional(v.picklist(URGENCIES)),
  preferredProfessionalId: v.optional(Text(100)),
  currency: v.picklist(CURRENCIES),
});

const ListQuery = v.object({
  limit: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,3}$/, 'a whole number from 1 to 100'), v.transform(Number), v.minValue(1), v.maxValue(100))),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
});

const DEFAULT_PAGE = 20;

const encodeCursor = (row: CaseRow) => Buffer.from(JSON.stringify([row.createdKey, row.id])).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const [createdKey, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof createdKey === 'string' && typeof id === 'string' && isUuid(id) && !Number.isNaN(Date.parse(createdKey))) return { createdKey, id };
  } catch {
    // falls through to the 400 below
  }
  throw problems.validation([{ pointer: '/cursor', message: 'not a cursor this API returned' }]);
}

const priceView = (row: CaseRow) => ({ amount: Number(row.priceAmount), currency: row.priceCurrency.trim() as Currency });

const summaryView = (row: CaseRow) => ({
  id: row.id,
  status: row.status,
  stage: STAGE_OF[row.status],
  title: row.title,
  urgency: row.urgency,
  specialty: row.specialty,
  price: priceView(row),
  createdAt: row.createdAt.toISOString(),
  // When the flag-overdue-cases sweep found the promised turnaround missed before delivery; null while kept (or unpaid).
  slaBreachedAt: row.slaBreachedAt?.toISOString() ?? null,
});

const timelineView = (row: TimelineRow) => ({ at: row.at.toISOString(), status: row.status, ...(row.note ? { note: row.note } : {}) });

const detailView = (row: CaseRow, timeline: TimelineRow[], documents: ReturnType<typeof documentView>[]) => ({
  ...summaryView(row),
  questions: row.questions,
  preferredProfessionalId: row.preferredProfessionalId,
  assignedProfessionalId: row.assignedProfessionalId,
  turnaround: turnaroundOf(row.urgency),
  // The opinion clock starts when a professional accepts; until then only the promised turnaround is known.
  deadlines: { turnaroundHours: turnaroundOf(row.urgency).hours, opinionDueAt: row.opinionDueAt?.toISOString() ?? null },
  timeline: timeline.map(timelineView),
  documents,
  updatedAt: row.updatedAt.toISOString(),
});

/** Whose cases `principal` lists: their own (patient), those they work on (professional), everyone's (ops). */
function listScope(principal: Principal): ListScope {
  if (principal.role === 'ops') return { all: true };
  if (principal.role === 'patient') return { ownerId: principal.id };
  return { professionalId: principal.id };
}

/**
 * The cases routes: open a case, list mine (or all, for ops), read one, cancel one.
 *
 * @example
 * app.route('/', caseRoutes());
 */
export function caseRoutes(): Hono {
  const app = new Hono();
  const signedIn = authenticate();

  app.post(
    '/v1/cases',
    describe({ summary: 'Open a case (a draft, priced)', tags: ['cases'], audience: 'patient', responses: { 201: 'Created as a draft' } }),
    validate('json', CreateCase),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const body = c.req.valid('json');
      authorize(principal, 'case:create');
      const urgency = body.urgency ?? 'standard';
      const specialty: Specialty | undefined = body.specialty;
      const price = priceOf({ specialty, urgency, currency: body.currency });
      const row = await transaction(async (tx) => {
        const created = await insertCase(tx, {
          id: randomUUID(),
          ownerId: principal.id,
          title: body.title,
          specialty: specialty ?? null,
          urgency,
          preferredProfessionalId: body.preferredProfessionalId ?? null,
          priceAmount: price.amount,
          priceCurrency: price.currency,
          questions: body.questions,
        });
        await insertTimeline(tx, { caseId: created.id, status: 'draft', note: null });
        await emit(tx, CaseCreatedV1, {
          source: 'cases',
          subject: created.id,
          data: { caseId: created.id, ownerId: principal.id, urgency, ...(specialty ? { specialty } : {}) },
        });
        return created;
      });
      return c.json({ id: row.id, status: row.status, price, turnaround: turnaroundOf(urgency) }, 201);
    },
  );

  app.get(
    '/v1/cases',
    describe({ summary: 'List cases, newest first (patient: own; ops: all)', tags: ['cases'], audience: 'patient, professional, ops' }),
    validate('query', ListQuery),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const query = c.req.valid('query');
      authorize(principal, 'case:list');
      const scope = listScope(principal);
      const limit = query.limit ?? DEFAULT_PAGE;
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await transaction((tx) => listCases(tx, { scope, after, limit }));
      const page = rows.slice(0, limit);
      return c.json({ items: page.map(summaryView), nextCursor: rows.length > limit ? encodeCursor(page.at(-1)!) : null });
    },
  );

  app.get(
    '/v1/cases/:id',
    describe({ summary: 'One case with its timeline', tags: ['cases'], audience: 'owner, assigned professional, ops' }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const id = idParam(c.req.param('id'));
      const view = await transaction(async (tx) => {
        const row = await caseFor(tx, principal, id, 'case:read');
        const key = await keyring().existingKey(tx, row.ownerId);
        const documents = (await documentsOf(tx, id)).map((d) => documentView(d, key ? open(key, d.filenameSealed, filenameContext(d.id)) : null));
        await emit(tx, CaseReadV1, { source: 'cases', subject: id, data: { caseId: id, actorId: principal.id, actorRole: principal.role } });
        return detailView(row, await timelineOf(tx, id), documents);
      });
      return c.json(view);
    },
  );

  app.post(
    '/v1/cases/:id/cancel',
    describe({ summary: 'Cancel a case before anyone is assigned', tags: ['cases'], audience: 'owner, ops', responses: { 200: 'Cancelled', 409: 'The case can no longer be cancelled' } }),
    signedIn,
    async (c) => {
      const principal = c.get('principal');
      const id = idParam(c.req.param('id'));
      const result = await transaction(async (tx) => {
        const row = await caseFor(tx, principal, id, 'case:cancel', { forUpdate: true });
        const move = await applyMove(tx, row, 'cancel', { cause: 'cancel', note: principal.role === 'ops' ? 'cancelled by ops' : 'cancelled by the patient' });
        await emit(tx, CaseCancelledV1, { source: 'cases', subject: id, data: { caseId: id, from: move.from } });
        return { id, status: move.to, stage: STAGE_OF[move.to] };
      });
      return c.json(result);
    },
  );

  return app;
}
