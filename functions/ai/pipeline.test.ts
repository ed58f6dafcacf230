import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { DocumentFailedV1, DocumentProcessedV1 } from '../../events/documents.ts';
import { ConsentChangedV1 } from '../../events/identity.ts';
import { PaymentCapturedV1 } from '../../events/payments.ts';
import { closeDb, db } from '../../shared/db/index.ts';
import { keyring, open } from '../../shared/keyring/index.ts';
import { createAi } from './app.ts';
import { aiDefaults, type AiSettings } from './config.ts';
import { analysisContext } from './pipeline.ts';
import { anthropicAnswer, openAiAnswer, providerAt, providerServer, validOutput } from './providers/testing.ts';
import { aiEvents, deliver, IDENTIFIED_NOTE, tick } from './testing.ts';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
  await closeDb();
});

/** A case of its own: ids, and its documents' texts (fed to the pipeline in place of the blob store). */
function newCase(texts: (string | null)[], extra: { urgency?: 'standard' | 'urgent'; specialty?: string } = {}) {
  const caseId = randomUUID();
  const ownerId = randomUUID();
  const documentIds: string[] = texts.map(() => randomUUID());
  const byDocument = new Map(documentIds.map((id, i) => [id, texts[i]!]));
  return { caseId, ownerId, documentIds, byDocument, ...extra };
}
type Case = ReturnType<typeof newCase>;

function aiWith(settings: Partial<AiSettings>, cases: Case[], now?: () => Date) {
  const texts = new Map(cases.flatMap((c) => [...c.byDocument]));
  return createAi({
    settings: { ...aiDefaults, ...settings },
    readText: async (ref) => texts.get(ref.documentId) ?? null,
    // Its clock runs years ahead: unscoped, its sweep would triage every other test's cases in the shared database.
    sweepScope: () => cases.map((c) => c.caseId),
    ...(now ? { now } : {}),
  });
}

async function submit(ai: ReturnType<typeof createAi>, c: Case, time = new Date()) {
  await deliver(ai, CaseSubmittedV1, {
    caseId: c.caseId,
    ownerId: c.ownerId,
    urgency: c.urgency ?? 'standard',
    ...(c.specialty ? { specialty: c.specialty } : {}),
    price: { amount: 9900, currency: 'EUR' },
    documentIds: c.documentIds,
    questionCount: 1,
    patientLanguages: ['en'],
  }, { time });
}
const processed = (ai: ReturnType<typeof createAi>, c: Case, documentId: string) =>
  deliver(ai, DocumentProcessedV1, { caseId: c.caseId, ownerId: c.ownerId, documentId, kind: 'text', pages: 1, characters: 100, language: 'en', textBlobKey: `cases/${c.caseId}/documents/${documentId}.text` });
const pay = (ai: ReturnType<typeof createAi>, c: Case, options: { id?: string; time?: Date } = {}) =>
  deliver(ai, PaymentCapturedV1, { paymentId: randomUUID(), caseId: c.caseId, ownerId: c.ownerId, gateway: 'sandbox', amount: { amount: 9900, currency: 'EUR' } }, options);
const consent = (ai: ReturnType<typeof createAi>, userId: string, granted: boolean, time: Date, version = '1') =>
  deliver(ai, ConsentChangedV1, { consentId: randomUUID(), userId, purpose: 'external_ai', version, granted }, { time });
const triaged = async (caseId: string) => (await aiEvents(caseId)).filter((e) => e.type === 'case.triaged.v1');
const degraded = async (caseId: string) => (await aiEvents(caseId)).filter((e) => e.type === 'ai.triage.degraded.v1');

async function server(...args: Parameters<typeof providerServer>) {
  const s = await providerServer(...args);
  closers.push(s.close);
  return s;
}

describe('triage pipeline', () => {
  it('a paid case whose documents are read is triaged once by the built-in analyser; no provider call without external_ai consent', async () => {
    const provider = await server(() => ({ json: openAiAnswer(validOutput()) }));
    const c = newCase([IDENTIFIED_NOTE.text, null]);
    const ai = aiWith({ providers: [providerAt(provider.url, { name: `p-${randomUUID().slice(0, 8)}` })] }, [c]);
    await submit(ai, c);
    await processed(ai, c, c.documentIds[0]!);
    const payment = randomUUID();
    await pay(ai, c, { id: payment });
    await ai.runner.drain();
    assert.equal((await triaged(c.caseId)).length, 0, 'not before every document is processed or failed');
    await deliver(ai, DocumentFailedV1, { caseId: c.caseId, documentId: c.documentIds[1]!, reason: 'corrupt' });
    await ai.runner.drain();

    const [event, ...more] = await triaged(c.caseId);
    assert.equal(more.length, 0);
    assert.equal(event!.data.source, 'built-in');
    assert.equal(event!.data.specialty, 'cardiology');
    assert.equal(event!.data.urgency, 'urgent');
    assert.equal(event!.data.disagreement, false);
    assert.deepEqual(event!.data.redFlags, ['acute-coronary-syndrome', 'chest-pain', 'elevated-troponin']);
    for (const id of IDENTIFIED_NOTE.identifiers) assert.ok(!event!.data.summary.includes(id), `${id} in the summary`);
    assert.match(event!.data.summary, /acute coronary syndrome \(I24\.9\)/);
    assert.equal(provider.requests.length, 0, 'no external call without consent');

    // Redeliveries and a second capture change nothing: exactly one case.triaged.v1.
    assert.equal(await pay(ai, c, { id: payment }), 'duplicate');
    await pay(ai, c);
    await processed(ai, c, c.documentIds[0]!);
    await tick(ai, 'triage-sweep');
    await ai.runner.drain();
    assert.equal((await triaged(c.caseId)).length, 1);
    // The analysis is stored sealed under the patient's key: readable with it, and only with it.
    const [stored] = await db()<{ analysisSealed: string }[]>`select analysis_sealed from ai.triages where case_id = ${c.caseId}`;
    assert.ok(!stored!.analysisSealed.includes('coronary'));
    const key = (await keyring().existingKey(db(), c.ownerId))!;
    const analysis = JSON.parse(open(key, stored!.analysisSealed, analysisContext(c.caseId))) as {
      conditions: { icd10: string; evidence: { documentId: string; start: number; end: number } }[];
    };
    const acs = analysis.conditions.find((x) => x.icd10 === 'I24.9')!;
    assert.equal(IDENTIFIED_NOTE.text.slice(acs.evidence.start, acs.evidence.end), 'Acute coronary syndrome');
    assert.equal(acs.evidence.documentId, c.documentIds[0]);
  });

  it('with external_ai consent only scrubbed text leaves, and the provider reads the case; the latest consent wins', async () => {
    const provider = await server(() => ({ json: anthropicAnswer(validOutput({ summary: 'Mr Finch: likely ACS.', redFlags: ['Chest pain', 'ST changes'] })) }));
    const name = `claude-${randomUUID().slice(0, 8)}`;
    const c = newCase([IDENTIFIED_NOTE.text]);
    const ai = aiWith({ providers: [providerAt(provider.url, { name, kind: 'anthropic', baseUrl: provider.url })], secondReadForUrgent: false }, [c]);
    const t0 = new Date('2026-01-01T10:00:00Z');
    await consent(ai, c.ownerId, true, new Date(t0.getTime() + 1000));
    await consent(ai, c.ownerId, false, t0); // older, delivered late: ignored
    await submit(ai, c);
    await processed(ai, c, c.documentIds[0]!);
    await pay(ai, c);
    await ai.runner.drain();

    assert.equal(provider.requests.length, 1);
    const sent = JSON.stringify(provider.requests[0]!.body);
    for (const id of IDENTIFIED_NOTE.identifiers) assert.ok(!sent.includes(id), `${id} was sent to the provider`);
    assert.match(sent, /central chest pain/);
    const [event] = await triaged(c.caseId);
    assert.equal(event!.data.source, 'provider');
    assert.equal(event!.data.summary, 'Mr [NAME]: likely ACS.', 'the provider summary is scrubbed too');
    assert.ok(event!.data.redFlags.includes('st-changes'));
    const usage = await db()<{ provider: string; tokensIn: number; costMicros: string; outcome: string; caseId: string }[]>`
      select provider, tokens_in, cost_micros, outcome, case_id from ai.usage where provider = ${name}`;
    assert.deepEqual(usage.map((u) => [u.caseId, u.tokensIn, Number(u.costMicros), u.outcome]), [[c.caseId, 1000, 270, 'ok']]);

    // Withdrawn later: the next case of this patient goes nowhere.
    await consent(ai, c.ownerId, false, new Date(t0.getTime() + 2000));
    const next = { ...newCase([IDENTIFIED_NOTE.text]), ownerId: c.ownerId };
    const ai2 = aiWith({ providers: [providerAt(provider.url, { name, kind: 'anthropic', baseUrl: provider.url })] }, [next]);
    await submit(ai2, next);
    await processed(ai2, next, next.documentIds[0]!);
    await pay(ai2, next);
    await ai2.runner.drain();
    assert.equal(provider.requests.length, 1, 'no call after consent was withdrawn');
    assert.equal((await triaged(next.caseId))[0]!.data.source, 'built-in');
  });

  it('when every provider fails the case goes on with the built-in result and ops are alerted; no text at all is source none', async () => {
    const down = await server(() => ({ status: 500 }));
    const slow = await server(() => ({ delayMs: 1000, json: openAiAnswer(validOutput()) }));
    const c = newCase(['Assessment: migraine without aura. No weakness.']);
    const empty = newCase([null]);
    const providers = [providerAt(down.url, { name: `down-${randomUUID().slice(0, 6)}` }), providerAt(slow.url, { name: `slow-${randomUUID().slice(0, 6)}`, timeoutMs: 100 })];
    const ai = aiWith({ providers }, [c, empty]);
    for (const x of [c, empty]) {
      await consent(ai, x.ownerId, true, new Date());
      await submit(ai, x);
      await processed(ai, x, x.documentIds[0]!);
      await pay(ai, x);
    }
    await ai.runner.drain();
    const [event] = await triaged(c.caseId);
    assert.equal(event!.data.source, 'built-in');
    assert.equal(event!.data.specialty, 'neurology');
    const [alert] = await degraded(c.caseId);
    assert.equal(alert!.data.reason, 'providers-failed');
    assert.deepEqual(alert!.data.attempts.map((a: { outcome: string }) => a.outcome), ['server-error', 'timeout']);

    const [none] = await triaged(empty.caseId);
    assert.equal(none!.data.source, 'none');
    assert.equal(none!.data.specialty, 'internal-medicine');
    assert.equal((await degraded(empty.caseId))[0]!.data.reason, 'no-text');
  });

  it('a case becomes ready however its events interleave: submitted, paid and read all at once, twenty times', async () => {
    const cases = Array.from({ length: 20 }, () => newCase(['Known asthma.']));
    const ai = aiWith({}, cases);
    await Promise.all(cases.map((c) => Promise.all([submit(ai, c), pay(ai, c), processed(ai, c, c.documentIds[0]!)])));
    await ai.runner.drain();
    for (const c of cases) assert.equal((await triaged(c.caseId)).length, 1, 'triaged by its last event, not left for the sweep');
  });

  it('the sweep triages a paid case whose documents never finished, after the timeout (controlled clock)', async () => {
    let now = new Date('2030-06-01T12:00:00Z');
    const c = newCase(['Known asthma.', 'never processed']);
    const ai = aiWith({ documentTimeoutMs: 10 * 60_000 }, [c], () => now);
    await submit(ai, c, now);
    await processed(ai, c, c.documentIds[0]!);
    await pay(ai, c, { time: now });
    now = new Date(now.getTime() + 9 * 60_000);
    await tick(ai, 'triage-sweep');
    assert.equal((await triaged(c.caseId)).length, 0, 'still waiting for the second document');
    now = new Date(now.getTime() + 2 * 60_000);
    await tick(ai, 'triage-sweep');
    const [event] = await triaged(c.caseId);
    assert.equal(event!.data.source, 'built-in');
    assert.equal(event!.data.specialty, 'pulmonology');
    assert.equal((await degraded(c.caseId))[0]!.data.reason, 'documents-timed-out');
  });

  it('an urgent case is read twice; readers that disagree are flagged and need a consultant', async () => {
    const a = await server(() => ({ json: openAiAnswer(validOutput()) }));
    const b = await server(() => ({ json: openAiAnswer(validOutput({ specialty: 'pulmonology', urgency: 'standard' })) }));
    const c = newCase(['Pleuritic chest pain. Suspected pulmonary embolism.'], { urgency: 'urgent' });
    const ai = aiWith({ providers: [providerAt(a.url, { name: `a-${randomUUID().slice(0, 6)}` }), providerAt(b.url, { name: `b-${randomUUID().slice(0, 6)}` })] }, [c]);
    await consent(ai, c.ownerId, true, new Date());
    await submit(ai, c);
    await processed(ai, c, c.documentIds[0]!);
    await pay(ai, c);
    await ai.runner.drain();
    assert.equal(a.requests.length + b.requests.length, 2);
    const [event] = await triaged(c.caseId);
    assert.equal(event!.data.disagreement, true);
    assert.equal(event!.data.urgency, 'urgent');
    assert.equal(event!.data.minGrade, 'G3');
  });

  it('at 100 % of a provider budget routing falls back to the built-in analyser; 80 % and 100 % are announced once', async () => {
    const provider = await server(() => ({ json: openAiAnswer(validOutput(), { prompt_tokens: 1000, completion_tokens: 500 }) }));
    const name = `budget-${randomUUID().slice(0, 8)}`;
    // Each call costs 1000×150/1000 + 500×600/1000 = 450 micro-units; the budget allows two.
    const settings = { providers: [providerAt(provider.url, { name, monthlyBudgetMicros: 900 })], secondReadForUrgent: false };
    const cases = [newCase(['Known asthma.']), newCase(['Known asthma.']), newCase(['Known asthma.'])];
    const ai = aiWith(settings, cases);
    for (const c of cases) {
      await consent(ai, c.ownerId, true, new Date());
      await submit(ai, c);
      await processed(ai, c, c.documentIds[0]!);
      await pay(ai, c);
      await ai.runner.drain();
    }
    assert.equal(provider.requests.length, 2, 'the third case found the budget spent');
    assert.deepEqual(
      await Promise.all(cases.map(async (c) => (await triaged(c.caseId))[0]!.data.source)),
      ['provider', 'provider', 'built-in'],
    );
    const alerts = await aiEvents(`provider:${name}`);
    assert.deepEqual(alerts.map((e) => [e.type, e.data.threshold, e.data.spentMicros]), [
      ['ai.budget.threshold-reached.v1', 80, 900],
      ['ai.budget.threshold-reached.v1', 100, 900],
    ]);
  });
});
