import { CaseSubmittedV1 } from '../../events/case.ts';
import { DocumentFailedV1, DocumentProcessedV1 } from '../../events/documents.ts';
import type { CloudEvent, EventData, EventDefinition } from '../../events/envelope.ts';
import { ConsentChangedV1 } from '../../events/identity.ts';
import { PaymentCapturedV1 } from '../../events/payments.ts';
import { on, type Subscription } from '../../shared/bus/consumer.ts';
import { afterCommit, type Tx } from '../../shared/db/index.ts';
import { lockCase, markReadyIfComplete, upsertConsent, upsertFailed, upsertPaid, upsertProcessed, upsertSubmitted } from './queries.ts';

type Event<D extends EventDefinition> = CloudEvent<EventData<D>>;

/** When an event's time is missing or unreadable, the time it is applied. */
const timeOf = (event: { time?: string }, now: () => Date) => (event.time && !Number.isNaN(Date.parse(event.time)) ? new Date(event.time) : now());

/**
 * The ai function's consumers: they keep its own view of cases, documents and consent, and when a case becomes
 * ready (paid, and every submitted document processed or failed) hand it to `startTriage` once the transaction
 * has committed. Each is idempotent: upserts keyed by case, document and person, on top of shared/bus's dedupe.
 *
 * @example
 * defineFunction({ name: 'ai', events: intakeSubscriptions({ startTriage: (id) => runner.kick(id), now: () => new Date() }) });
 */
export function intakeSubscriptions(deps: { startTriage: (caseId: string) => void; now: () => Date }): Subscription[] {
  const checkReady = async (tx: Tx, caseId: string) => {
    if (await markReadyIfComplete(tx, caseId, deps.now())) afterCommit(tx, () => deps.startTriage(caseId));
  };
  return [
    on(CaseSubmittedV1, async (tx, event: Event<typeof CaseSubmittedV1>) => {
      const d = event.data;
      await lockCase(tx, d.caseId);
      await upsertSubmitted(tx, { caseId: d.caseId, ownerId: d.ownerId, specialty: d.specialty ?? null, urgency: d.urgency, documentIds: d.documentIds, at: timeOf(event, deps.now) });
      await checkReady(tx, d.caseId);
    }),
    on(PaymentCapturedV1, async (tx, event: Event<typeof PaymentCapturedV1>) => {
      await lockCase(tx, event.data.caseId);
      await upsertPaid(tx, { caseId: event.data.caseId, ownerId: event.data.ownerId, at: timeOf(event, deps.now) });
      await checkReady(tx, event.data.caseId);
    }),
    on(DocumentProcessedV1, async (tx, event: Event<typeof DocumentProcessedV1>) => {
      const d = event.data;
      await lockCase(tx, d.caseId);
      await upsertProcessed(tx, { caseId: d.caseId, documentId: d.documentId, ownerId: d.ownerId, textBlobKey: d.textBlobKey ?? null, characters: d.characters });
      await checkReady(tx, d.caseId);
    }),
    on(DocumentFailedV1, async (tx, event: Event<typeof DocumentFailedV1>) => {
      await lockCase(tx, event.data.caseId);
      await upsertFailed(tx, { caseId: event.data.caseId, documentId: event.data.documentId });
      await checkReady(tx, event.data.caseId);
    }),
    on(ConsentChangedV1, async (tx, event: Event<typeof ConsentChangedV1>) => {
      const d = event.data;
      await upsertConsent(tx, { userId: d.userId, purpose: d.purpose, granted: d.granted, version: d.version, at: timeOf(event, deps.now) });
    }),
  ];
}
