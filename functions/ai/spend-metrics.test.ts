import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { DocumentProcessedV1 } from '../../events/documents.ts';
import { ConsentChangedV1 } from '../../events/identity.ts';
import { PaymentCapturedV1 } from '../../events/payments.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { INSTRUMENTS } from '../../shared/telemetry/metrics.ts';
import { recordedMetrics, type RecordedMetrics } from '../../shared/telemetry/testing.ts';
import { createAi } from './app.ts';
import { aiDefaults } from './config.ts';
import { openAiAnswer, providerAt, providerServer, validOutput } from './providers/testing.ts';
import { deliver, IDENTIFIED_NOTE } from './testing.ts';

describe('AI spend metric', () => {
  let recorded: RecordedMetrics;
  const closers: (() => Promise<void>)[] = [];
  before(async () => {
    recorded = await recordedMetrics();
  });
  after(async () => {
    await Promise.all(closers.map((c) => c()));
    await closeDb();
  });

  it('adds what every billed provider call cost, in minor units of the settings’ currency, as the usage ledger records it', async () => {
    // The first answer is not valid triage output (billed, then retried once), the second is.
    const provider = await providerServer((_request, n) => ({ json: openAiAnswer(n === 0 ? 'not json' : validOutput()) }));
    closers.push(provider.close);
    const name = `spend-${randomUUID().slice(0, 8)}`;
    // 1200 tokens in at 25 000 µ/1k + 300 out at 100 000 µ/1k = 60 000 micro-euros = 6 cents a call.
    const settings = { ...aiDefaults, currency: 'EUR', secondReadForUrgent: false, providers: [providerAt(provider.url, { name, priceMicrosPer1kInput: 25_000, priceMicrosPer1kOutput: 100_000 })] };
    const caseId = randomUUID();
    const ownerId = randomUUID();
    const documentId = randomUUID();
    const ai = createAi({ settings, readText: async () => IDENTIFIED_NOTE.text, sweepScope: () => [caseId] });

    await deliver(ai, ConsentChangedV1, { consentId: randomUUID(), userId: ownerId, purpose: 'external_ai', version: '1', granted: true });
    await deliver(ai, CaseSubmittedV1, {
      caseId, ownerId, urgency: 'standard', price: { amount: 9900, currency: 'EUR' }, documentIds: [documentId], questionCount: 1, patientLanguages: ['en'],
    });
    await deliver(ai, DocumentProcessedV1, { caseId, ownerId, documentId, kind: 'text', pages: 1, characters: 100, language: 'en', textBlobKey: `cases/${caseId}/documents/${documentId}.text` });
    await deliver(ai, PaymentCapturedV1, { paymentId: randomUUID(), caseId, ownerId, gateway: 'sandbox', amount: { amount: 9900, currency: 'EUR' } });
    await ai.runner.drain();

    assert.equal(provider.requests.length, 2);
    const [ledger] = await db()<{ micros: string; calls: string }[]>`select sum(cost_micros)::text as micros, count(*)::text as calls from ai.usage where provider = ${name}`;
    assert.equal(Number(ledger!.calls), 2);
    assert.equal(Number(ledger!.micros), 120_000);
    assert.equal(await recorded.sum(INSTRUMENTS.aiSpend.name, { provider: name, model: 'gpt-test', currency: 'EUR' }), 12);
    assert.equal(await recorded.sum(INSTRUMENTS.aiSpend.name, { provider: name }), 12, 'under no other labels');
  });
});
