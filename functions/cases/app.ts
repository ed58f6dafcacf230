import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import * as v from 'valibot';
import { CaseCancelledV1, CaseCreatedV1 } from '../../events/case.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { authorize } from '../../shared/auth/policy.ts';
import type { Principal } from '../../shared/auth/principal.ts';
import { SPECIALTIES, type Specialty } from '../../shared/auth/specialties.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { defineFunction } from '../../shared/http/function.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { STAGE_OF, transition } from './lifecycle.ts';
import { CURRENCIES, priceOf, turnaroundOf, URGENCIES, type Currency } from './pricing.ts';
import { findCase, insertCase, insertTimeline, listCases, timelineOf, updateStatus, type CaseRow, type Cursor, type TimelineRow } from './queries.ts';

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
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A case id from the path; anything that cannot be one is a case that does not exist (404, never a 500). */
function caseId(id: string): string {
  if (!UUID.test(id)) throw problems.notFound();
  return id.toLowerCase();
}

const encodeCursor = (row: CaseRow) => Buffer.from(JSON.stringify([row.createdKey, row.id])).toString('base64url');

function decodeCursor(cursor: string): Cursor {
  try {
    const [createdKey, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof createdKey === 'string' && typeof id === 'string' && UUID.test(id) && !Number.isNaN(Date.parse(createdKey))) return { createdKey, id };
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
});

const timelineView = (row: TimelineRow) => ({ at: row.at.toISOString(), status: row.status, ...(row.note ? { note: row.note } : {}) });

const detailView = (row: CaseRow, timeline: TimelineRow[]) => ({
  ...summaryView(row),
  questions: row.questions,
  preferredProfessionalId: row.preferredProfessionalId,
  turnaround: turnaroundOf(row.urgency),
  // The opinion clock starts when the case is paid; until then only the promised turnaround is known.
  deadlines: { turnaroundHours: turnaroundOf(row.urgency).hours, opinionDueAt: null },
  timeline: timeline.map(timelineView),
  documents: [],
  updatedAt: row.updatedAt.toISOString(),
});

/** Whose cases `principal` lists: their own (patient), everyone's (ops), or — until assignment exists — none. */
function listScope(principal: Principal): { ownerId: string | null } | 'none' {
  if (principal.role === 'ops') return { ownerId: null };
  if (principal.role === 'patient') return { ownerId: principal.id };
  return 'none';
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
      if (scope === 'none') return c.json({ items: [], nextCursor: null });
      const limit = query.limit ?? DEFAULT_PAGE;
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await transaction((tx) => listCases(tx, { ownerId: scope.ownerId, after, limit }));
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
      const id = caseId(c.req.param('id'));
      const view = await transaction(async (tx) => {
        const row = await findCase(tx, id);
        if (!row) throw problems.notFound();
        authorize(principal, 'case:read', { ownerId: row.ownerId });
        return detailView(row, await timelineOf(tx, id));
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
      const id = caseId(c.req.param('id'));
      const result = await transaction(async (tx) => {
        const row = await findCase(tx, id, { forUpdate: true });
        if (!row) throw problems.notFound();
        authorize(principal, 'case:cancel', { ownerId: row.ownerId });
        const move = transition(row.status, 'cancel');
        if (!move.ok) throw new HttpProblem(409, 'illegal-transition', { detail: `This case cannot be cancelled: ${move.reason}.`, currentStatus: move.from });
        await updateStatus(tx, id, move.to);
        await insertTimeline(tx, { caseId: id, status: move.to, note: principal.role === 'ops' ? 'cancelled by ops' : 'cancelled by the patient' });
        await emit(tx, CaseCancelledV1, { source: 'cases', subject: id, data: { caseId: id, from: move.from } });
        return { id, status: move.to, stage: STAGE_OF[move.to] };
      });
      return c.json(result);
    },
  );

  return app;
}

export default defineFunction({ name: 'cases', routes: caseRoutes() });
