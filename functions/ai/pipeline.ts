import { AiTriageDegradedV1, CaseTriagedV1 } from '../../events/triage.ts';
import type { Grade } from '../../shared/auth/grades.ts';
import { GRADES } from '../../shared/auth/grades.ts';
import { isSpecialty, type Specialty } from '../../shared/auth/specialties.ts';
import { emit } from '../../shared/bus/emit.ts';
import { afterCommit, transaction, type Sql, type Tx } from '../../shared/db/index.ts';
import { KeyShreddedError, seal, type Keyring } from '../../shared/keyring/index.ts';
import { addAiSpend } from '../../shared/telemetry/metrics.ts';
import { analyse, type Analysis, type SourceText } from './analyser/analyse.ts';
import type { CircuitBreakers } from './breaker.ts';
import { announceThresholds, currentSpend, overBudget } from './budgets.ts';
import type { AiSettings, ProviderSettings } from './config.ts';
import type { TextReader } from './document-text.ts';
import type { ChatClient } from './providers/index.ts';
import { claimCase, hasConsent, insertTriage, insertUsage, processedDocuments, releaseCase, type CaseRow } from './queries.ts';
import { readExternally, type ExternalReadResult } from './route.ts';
import { scrub } from './scrub.ts';
import { builtInSummary, deidentified, NO_TEXT_SUMMARY } from './summary.ts';

/** Everything triage needs from outside; the app builds the real ones, tests their own. */
export interface PipelineDeps {
  settings: AiSettings;
  breakers: CircuitBreakers;
  readText: TextReader;
  client: (provider: ProviderSettings) => ChatClient;
  now: () => Date;
  sql: () => Sql;
  keyring: Keyring;
}

/** The context the stored analysis is sealed under (bound to the case, so it cannot be swapped between cases). */
export const analysisContext = (caseId: string) => `ai-analysis:${caseId}`;

/** Seals the analysis under the owner's data key; null once the owner was erased (their key shredded). */
async function sealAnalysis(tx: Tx, keyring: Keyring, ownerId: string, caseId: string, analysis: Analysis): Promise<string | null> {
  try {
    return seal(await keyring.keyFor(tx, ownerId), JSON.stringify(analysis), analysisContext(caseId));
  } catch (error) {
    if (error instanceof KeyShreddedError) return null;
    throw error;
  }
}

/** Why triage runs: the case became ready, or the sweep gave up waiting for its documents. */
export type TriageReason = 'ready' | 'timeout';

const atLeast = (grade: Grade, minimum: Grade): Grade => (GRADES.indexOf(grade) >= GRADES.indexOf(minimum) ? grade : minimum);
const slug = (flag: string) => flag.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);

/**
 * Triages one paid case, at most once: claims it (a lease, so the event's runner and the sweep never both call
 * providers), reads its documents' text, runs the built-in analyser, asks external providers only with the
 * patient's `external_ai` consent and only with scrubbed text, then stores the triage and emits exactly one
 * case.triaged.v1 (plus ai.triage.degraded.v1 when providers failed or there was no text). Returns what happened.
 *
 * @example
 * await triageCase(caseId, 'ready', deps); // 'triaged'
 */
export async function triageCase(caseId: string, reason: TriageReason, deps: PipelineDeps): Promise<'triaged' | 'skipped' | 'duplicate'> {
  const sql = deps.sql();
  const now = deps.now();
  const row = await transaction((tx) => claimCase(tx, caseId, now, new Date(now.getTime() + deps.settings.leaseMs)), sql);
  if (!row) return 'skipped';
  let texts: SourceText[];
  try {
    texts = await readTexts(row, deps, sql);
  } catch (error) {
    await transaction((tx) => releaseCase(tx, caseId), sql);
    throw error;
  }
  const analysis = analyse(texts);
  const external = texts.length > 0 && deps.settings.providers.length > 0 && (await hasConsent(sql, row.ownerId, 'external_ai'));
  const reads: ExternalReadResult = external ? await readExternally(externalInput(row, texts, analysis), routerDeps(deps, sql)) : { attempts: [], eligible: 0 };
  const triage = compose(row, texts.length, analysis, reads);
  const degraded =
    reason === 'timeout' && row.readyAt === null ? 'documents-timed-out' : texts.length === 0 ? 'no-text' : reads.attempts.length > 0 && !reads.primary ? 'providers-failed' : null;
  return transaction(async (tx) => {
    const analysisSealed = await sealAnalysis(tx, deps.keyring, row.ownerId, caseId, analysis);
    if (!(await insertTriage(tx, { ...triage, analysisSealed }, deps.now()))) return 'duplicate' as const;
    const { caseId: id, specialty, urgency, minGrade, summary, source, disagreement, redFlags } = triage;
    await emit(tx, CaseTriagedV1, { source: 'ai', subject: id, data: { caseId: id, specialty, urgency, minGrade, summary, source, disagreement, redFlags } });
    if (degraded && source !== 'provider') {
      await emit(tx, AiTriageDegradedV1, { source: 'ai', subject: id, data: { caseId: id, reason: degraded, source, attempts: reads.attempts } });
    }
    return 'triaged' as const;
  }, sql);
}

/** The texts of the case's processed documents; a store that fails is retried until the document timeout. */
async function readTexts(row: CaseRow, deps: PipelineDeps, sql: Sql): Promise<SourceText[]> {
  const documents = await processedDocuments(sql, row.caseId, row.documentIds);
  const texts: SourceText[] = [];
  for (const d of documents) {
    let text: string | null;
    try {
      text = await deps.readText({ caseId: row.caseId, documentId: d.documentId, ownerId: d.ownerId ?? row.ownerId, textBlobKey: d.textBlobKey });
    } catch (error) {
      const waited = deps.now().getTime() - (row.paidAt?.getTime() ?? 0);
      if (waited < deps.settings.documentTimeoutMs) throw error;
      text = null; // waited long enough: the case goes on without this document rather than stay stuck
    }
    if (text && text.trim()) texts.push({ documentId: d.documentId, text });
  }
  return texts;
}

function externalInput(row: CaseRow, texts: SourceText[], analysis: Analysis) {
  const specialty = row.requestedSpecialty && isSpecialty(row.requestedSpecialty) ? row.requestedSpecialty : analysis.specialty;
  return {
    caseId: row.caseId,
    specialty,
    urgency: row.urgency === 'urgent' || analysis.urgency === 'urgent' ? ('urgent' as const) : ('standard' as const),
    // Nothing leaves unscrubbed: the router only ever sees this.
    scrubbedTexts: texts.map((t) => scrub(t.text).text),
    hintCodes: [...new Set(analysis.conditions.filter((c) => !c.negated).map((c) => c.icd10))],
  };
}

function routerDeps(deps: PipelineDeps, sql: Sql) {
  return {
    settings: deps.settings,
    breakers: deps.breakers,
    client: deps.client,
    now: deps.now,
    overBudget: async () => overBudget(deps.settings, await currentSpend(sql, deps.now())),
    record: (usage: Parameters<typeof insertUsage>[1]) =>
      transaction(async (tx) => {
        await insertUsage(tx, usage);
        await announceThresholds(tx, deps.settings, usage.at);
        // The spend metric follows the usage ledger: only a recorded call counts.
        afterCommit(tx, () => addAiSpend({ provider: usage.provider, model: usage.model, currency: deps.settings.currency }, usage.costMicros));
      }, sql),
  };
}

/** The triage from every reader: provider first for summary and specialty, the most urgent reading wins. */
function compose(row: CaseRow, records: number, analysis: Analysis, reads: ExternalReadResult) {
  const { primary, second } = reads;
  const requested = row.requestedSpecialty && isSpecialty(row.requestedSpecialty) ? row.requestedSpecialty : null;
  const specialty: Specialty = requested ?? primary?.output.specialty ?? analysis.specialty ?? 'internal-medicine';
  const urgent = [row.urgency, analysis.urgency, primary?.output.urgency, second?.output.urgency].includes('urgent');
  const disagreement =
    (second !== undefined && (second.output.specialty !== primary!.output.specialty || second.output.urgency !== primary!.output.urgency)) ||
    (primary !== undefined && analysis.urgency === 'urgent' && primary.output.urgency === 'standard');
  const providerFlags = [...(primary?.output.redFlags ?? []), ...(second?.output.redFlags ?? [])].map(slug).filter(Boolean);
  const redFlags = [...new Set([...analysis.redFlags, ...providerFlags])].sort().slice(0, 20);
  // Urgent cases need at least a specialist; readers that disagree, a consultant.
  let minGrade = analysis.minGrade;
  if (urgent) minGrade = atLeast(minGrade, 'G2');
  if (disagreement) minGrade = atLeast(minGrade, 'G3');
  const source = primary ? ('provider' as const) : records > 0 ? ('built-in' as const) : ('none' as const);
  const summary = primary ? deidentified(primary.output.summary) : records > 0 ? builtInSummary(analysis, records) : NO_TEXT_SUMMARY;
  return {
    caseId: row.caseId,
    source,
    provider: primary?.provider ?? null,
    specialty,
    urgency: urgent ? ('urgent' as const) : ('standard' as const),
    minGrade,
    disagreement,
    redFlags,
    summary,
  };
}
