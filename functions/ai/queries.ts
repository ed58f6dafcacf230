import { lockNamed, type Sql, type Tx } from '../../shared/db/index.ts';

// One exported function per statement, the transaction (or client) first. Schema "ai".

type Db = Sql | Tx;

export interface CaseRow {
  caseId: string;
  ownerId: string;
  requestedSpecialty: string | null;
  urgency: 'standard' | 'urgent';
  documentIds: string[];
  submittedAt: Date | null;
  paidAt: Date | null;
  readyAt: Date | null;
  leaseUntil: Date | null;
  triagedAt: Date | null;
}

/** Records a submission (what cases said); a payment seen first keeps its paid_at. */
export async function upsertSubmitted(tx: Db, c: { caseId: string; ownerId: string; specialty: string | null; urgency: string; documentIds: string[]; at: Date }) {
  await tx`
    insert into ai.cases (case_id, owner_id, requested_specialty, urgency, document_ids, submitted_at)
    values (${c.caseId}, ${c.ownerId}, ${c.specialty}, ${c.urgency}, ${tx.json(c.documentIds)}, ${c.at})
    on conflict (case_id) do update set
      owner_id = excluded.owner_id, requested_specialty = excluded.requested_specialty, urgency = excluded.urgency,
      document_ids = excluded.document_ids, submitted_at = excluded.submitted_at`;
}

/**
 * Serialises the events of one case (submitted, paid, a document read) until the transaction ends. They arrive on
 * separate consumers, possibly at once; without this, each could miss the other's uncommitted row and neither
 * would see the case become ready. Transaction-scoped, so safe through PgBouncer in transaction mode.
 */
export async function lockCase(tx: Db, caseId: string): Promise<void> {
  await lockNamed(tx, `ai.case:${caseId}`);
}

/** Records that the case is paid (the first capture counts). */
export async function upsertPaid(tx: Db, c: { caseId: string; ownerId: string; at: Date }) {
  await tx`
    insert into ai.cases (case_id, owner_id, paid_at) values (${c.caseId}, ${c.ownerId}, ${c.at})
    on conflict (case_id) do update set paid_at = coalesce(ai.cases.paid_at, excluded.paid_at)`;
}

/** Records a processed document (a later processing replaces a failure). */
export async function upsertProcessed(tx: Db, d: { caseId: string; documentId: string; ownerId: string; textBlobKey: string | null; characters: number }) {
  await tx`
    insert into ai.documents (case_id, document_id, owner_id, status, text_blob_key, characters)
    values (${d.caseId}, ${d.documentId}, ${d.ownerId}, 'processed', ${d.textBlobKey}, ${d.characters})
    on conflict (case_id, document_id) do update set
      owner_id = excluded.owner_id, status = 'processed', text_blob_key = excluded.text_blob_key,
      characters = excluded.characters, updated_at = now()`;
}

/** Records a failed document, unless it was processed already. */
export async function upsertFailed(tx: Db, d: { caseId: string; documentId: string }) {
  await tx`
    insert into ai.documents (case_id, document_id, status) values (${d.caseId}, ${d.documentId}, 'failed')
    on conflict (case_id, document_id) do nothing`;
}

/** Marks the case ready when it is paid, submitted, untriaged and every submitted document is processed or failed. */
export async function markReadyIfComplete(tx: Db, caseId: string, now: Date): Promise<boolean> {
  const rows = await tx`
    update ai.cases c set ready_at = ${now}
    where c.case_id = ${caseId} and c.ready_at is null and c.triaged_at is null
      and c.paid_at is not null and c.submitted_at is not null
      and not exists (
        select 1 from jsonb_array_elements_text(c.document_ids) as wanted(id)
        where not exists (select 1 from ai.documents d where d.case_id = c.case_id and d.document_id = wanted.id))
    returning case_id`;
  return rows.length === 1;
}

/** Takes the case for triage until `until`, unless it is triaged or someone else holds it; the row when taken. */
export async function claimCase(tx: Db, caseId: string, now: Date, until: Date): Promise<CaseRow | undefined> {
  const [row] = await tx<CaseRow[]>`
    update ai.cases set lease_until = ${until}
    where case_id = ${caseId} and triaged_at is null and paid_at is not null and (lease_until is null or lease_until < ${now})
    returning *`;
  return row;
}

/** Gives a claim back (the runner failed before finishing), so the sweep retries at once. */
export async function releaseCase(tx: Db, caseId: string) {
  await tx`update ai.cases set lease_until = null where case_id = ${caseId} and triaged_at is null`;
}

/** The processed documents of a case among `documentIds`. */
export async function processedDocuments(tx: Db, caseId: string, documentIds: string[]) {
  return tx<{ documentId: string; ownerId: string | null; textBlobKey: string | null }[]>`
    select document_id, owner_id, text_blob_key from ai.documents
    where case_id = ${caseId} and status = 'processed' and document_id = any(${documentIds}) order by document_id`;
}

/** Cases the sweep must triage now: ready but left by their runner, or paid long ago with documents unfinished. */
export async function casesToSweep(tx: Db, now: Date, readyBefore: Date, paidBefore: Date, limit: number, only?: readonly string[]) {
  const rows = await tx<{ caseId: string }[]>`
    select case_id from ai.cases
    where triaged_at is null and paid_at is not null and (lease_until is null or lease_until < ${now})
      and ${only ? tx`case_id in ${tx(only)}` : tx`true`}
      and ((ready_at is not null and ready_at < ${readyBefore}) or paid_at < ${paidBefore})
    order by paid_at limit ${limit}`;
  return rows.map((r) => r.caseId);
}

/** Latest consent wins: by the event's time, then by version; an older event changes nothing. */
export async function upsertConsent(tx: Db, c: { userId: string; purpose: string; granted: boolean; version: string; at: Date }) {
  await tx`
    insert into ai.consents (user_id, purpose, granted, version, changed_at)
    values (${c.userId}, ${c.purpose}, ${c.granted}, ${c.version}, ${c.at})
    on conflict (user_id, purpose) do update set granted = excluded.granted, version = excluded.version, changed_at = excluded.changed_at
      where (excluded.changed_at, excluded.version) > (ai.consents.changed_at, ai.consents.version)`;
}

/** Whether the person has granted `purpose` (no row: not granted). */
export async function hasConsent(tx: Db, userId: string, purpose: string): Promise<boolean> {
  const [row] = await tx<{ granted: boolean }[]>`select granted from ai.consents where user_id = ${userId} and purpose = ${purpose}`;
  return row?.granted ?? false;
}

export interface TriageRow {
  caseId: string;
  source: 'built-in' | 'provider' | 'none';
  provider: string | null;
  specialty: string;
  urgency: 'standard' | 'urgent';
  minGrade: 'G1' | 'G2' | 'G3' | 'G4';
  disagreement: boolean;
  redFlags: string[];
  summary: string;
  /** The built-in analysis sealed under the owner's data key; null when their key was shredded (erased). */
  analysisSealed: string | null;
}

/** Stores the one triage of a case; false when it already had one (nothing changes then). */
export async function insertTriage(tx: Db, t: TriageRow, now: Date): Promise<boolean> {
  const rows = await tx`
    insert into ai.triages (case_id, source, provider, specialty, urgency, min_grade, disagreement, red_flags, summary, analysis_sealed, created_at)
    values (${t.caseId}, ${t.source}, ${t.provider}, ${t.specialty}, ${t.urgency}, ${t.minGrade}, ${t.disagreement},
            ${tx.json(t.redFlags)}, ${t.summary}, ${t.analysisSealed}, ${now})
    on conflict (case_id) do nothing returning case_id`;
  await tx`update ai.cases set triaged_at = ${now}, lease_until = null where case_id = ${t.caseId} and triaged_at is null`;
  return rows.length === 1;
}

/** The stored triage of a case. */
export async function findTriage(tx: Db, caseId: string): Promise<TriageRow | undefined> {
  const [row] = await tx<TriageRow[]>`select * from ai.triages where case_id = ${caseId}`;
  return row;
}

export interface UsageRow {
  at: Date;
  provider: string;
  model: string;
  caseId: string | null;
  tokensIn: number;
  tokensOut: number;
  costMicros: number;
  latencyMs: number;
  outcome: string;
}

/** Records one provider call. */
export async function insertUsage(tx: Db, u: UsageRow) {
  const month = u.at.toISOString().slice(0, 7);
  await tx`
    insert into ai.usage (at, month, provider, model, case_id, tokens_in, tokens_out, cost_micros, latency_ms, outcome)
    values (${u.at}, ${month}, ${u.provider}, ${u.model}, ${u.caseId}, ${u.tokensIn}, ${u.tokensOut}, ${u.costMicros}, ${u.latencyMs}, ${u.outcome})`;
}

/** Spend of a month per provider, in micro-units. */
export async function spendByProvider(tx: Db, month: string): Promise<Map<string, number>> {
  const rows = await tx<{ provider: string; spent: string }[]>`
    select provider, sum(cost_micros)::text as spent from ai.usage where month = ${month} group by provider`;
  return new Map(rows.map((r) => [r.provider, Number(r.spent)]));
}

/** Raises a budget alert once per scope, month and threshold; true the first time. */
export async function insertBudgetAlert(tx: Db, a: { scope: string; month: string; threshold: number }): Promise<boolean> {
  const rows = await tx`
    insert into ai.budget_alerts (scope, month, threshold) values (${a.scope}, ${a.month}, ${a.threshold})
    on conflict do nothing returning scope`;
  return rows.length === 1;
}

export interface UsageGroup {
  key: string;
  calls: number;
  failures: number;
  tokensIn: number;
  tokensOut: number;
  costMicros: number;
  avgLatencyMs: number;
}

/** Usage between two instants grouped by day (UTC), provider or case. */
export async function usageGrouped(tx: Db, from: Date, to: Date, groupBy: 'day' | 'provider' | 'case'): Promise<UsageGroup[]> {
  const key =
    groupBy === 'day' ? tx`to_char(at at time zone 'UTC', 'YYYY-MM-DD')` : groupBy === 'provider' ? tx`provider` : tx`coalesce(case_id, '')`;
  const rows = await tx<{ key: string; calls: string; failures: string; tokensIn: string; tokensOut: string; costMicros: string; avgLatencyMs: string }[]>`
    select ${key} as key, count(*)::text as calls, count(*) filter (where outcome <> 'ok')::text as failures,
           sum(tokens_in)::text as tokens_in, sum(tokens_out)::text as tokens_out, sum(cost_micros)::text as cost_micros,
           round(avg(latency_ms))::text as avg_latency_ms
    from ai.usage where at >= ${from} and at < ${to}
    group by 1 order by 1`;
  return rows.map((r) => ({
    key: r.key,
    calls: Number(r.calls),
    failures: Number(r.failures),
    tokensIn: Number(r.tokensIn),
    tokensOut: Number(r.tokensOut),
    costMicros: Number(r.costMicros),
    avgLatencyMs: Number(r.avgLatencyMs),
  }));
}
