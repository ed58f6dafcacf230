import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { DocumentProcessedV1 } from '../../events/documents.ts';
import { PaymentCapturedV1 } from '../../events/payments.ts';
import { emit } from '../../shared/bus/emit.ts';
import { closeDb, transaction } from '../../shared/db/index.ts';
import { uniqueName } from '../../test/support/names.ts';
import { eventually, testRuntime } from '../../test/support/runtime.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { eventTriggers } from '../../triggers/events.ts';
import { httpTriggers } from '../../triggers/http.ts';
import { createAi } from './app.ts';
import { aiEvents } from './testing.ts';

after(closeDb);

describe('ai in the runtime', () => {
  it('triages from the declared events through the outbox (in process, or JetStream with the services)', async () => {
    assert.deepEqual(eventTriggers.filter((t) => t.function === 'ai').map((t) => t.event).sort(), [
      'case.submitted.v1', 'consent.changed.v1', 'document.failed.v1', 'document.processed.v1', 'payment.captured.v1',
    ]);
    assert.deepEqual(cronTriggers.filter((t) => t.function === 'ai').map((t) => [t.job, t.schedule]), [['triage-sweep', '* * * * *']]);
    assert.ok(httpTriggers.some((t) => t.prefix === '/v1/ai' && t.function === 'ai'));

    const [caseId, ownerId, documentId] = [randomUUID(), randomUUID(), randomUUID()];
    const ai = createAi({ readText: async (ref) => (ref.documentId === documentId ? 'Assessment: Crohn disease, no fistula.' : null), sweepScope: () => [caseId] });
    const source = uniqueName('ai-flow');
    const cron = cronTriggers.filter((t) => t.function === 'ai');
    const harness = await testRuntime({ functions: [ai], events: eventTriggers.filter((t) => t.function === 'ai'), cron, sources: [source] });
    try {
      await harness.runtime.start();
      await transaction(async (tx) => {
        // Out of order on purpose: payment first, then the submission, then the document.
        await emit(tx, PaymentCapturedV1, { source, subject: caseId, data: { paymentId: randomUUID(), caseId, ownerId, gateway: 'sandbox', amount: { amount: 100, currency: 'EUR' } } });
        await emit(tx, CaseSubmittedV1, {
          source, subject: caseId,
          data: { caseId, ownerId, urgency: 'standard', price: { amount: 100, currency: 'EUR' }, documentIds: [documentId], questionCount: 1, patientLanguages: ['en'] },
        });
      });
      await transaction((tx) =>
        emit(tx, DocumentProcessedV1, { source, subject: caseId, data: { caseId, ownerId, documentId, kind: 'text', pages: 1, characters: 40, language: 'en', textBlobKey: 'k' } }),
      );
      const triaged = async () => (await aiEvents(caseId)).filter((e) => e.type === 'case.triaged.v1');
      await eventually(async () => (await triaged()).length === 1, 20_000, 'case.triaged.v1');
      const [event] = await triaged();
      assert.equal(event!.data.specialty, 'gastroenterology');
      assert.equal(event!.data.source, 'built-in');
    } finally {
      await ai.runner.drain();
      await harness.close();
    }
  });
});
