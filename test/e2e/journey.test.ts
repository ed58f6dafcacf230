import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createAdaptorServer } from '@hono/node-server';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { documentStorage } from '../../events/documents.ts';
import { createBlobStore } from '../../shared/blob/index.ts';
import { config } from '../../shared/config/index.ts';
import { closeDb } from '../../shared/db/index.ts';
import type { ConsiliumFunction } from '../../shared/http/function.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { eventTriggers } from '../../triggers/events.ts';
import { httpTriggers } from '../../triggers/http.ts';
import { loadFunctions } from '../../triggers/registry.ts';
import { putUpload } from '../../functions/cases/testing.ts';
import { client, login, PASSWORD, signedInOps, signedInProfessional, uniqueEmail, type Client } from '../../functions/identity/testing.ts';
import { totpCode } from '../../functions/identity/totp.ts';
import { createOpinions } from '../../functions/opinions/app.ts';
import { listenLocal } from '../support/listen.ts';
import { eventually, testRuntime } from '../support/runtime.ts';

// One case through all five stages, across every function, wired exactly as `npm start` wires them (triggers/),
// events through the bus (in process, or JetStream in the services profile). Nothing is delivered by hand.

const json = async <T>(res: Response) => (await res.json()) as T;
const ok = async (res: Response, status = 200) => {
  assert.equal(res.status, status, await res.clone().text());
  return res;
};

/** A PDF with a text layer, as a patient's discharge letter would be. */
async function dischargeLetter(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const lines = [
    'Discharge summary',
    'Diagnosis: atrial fibrillation with rapid ventricular response.',
    'No evidence of stroke. Hypertension, well controlled.',
    'Medications: apixaban 5 mg twice daily, bisoprolol 2.5 mg daily.',
  ];
  lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
  return pdf.save();
}

describe('a case from intake to delivery, across every function', () => {
  let harness: Awaited<ReturnType<typeof testRuntime>>;
  let served: { url: string; close(): Promise<void> };
  let api: Client;

  before(async () => {
    // Opinions asks identity for step-up codes over HTTP: the whole platform is served on a local port for that.
    let serve: (request: Request) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
    served = await listenLocal(createAdaptorServer({ fetch: (request: Request) => serve(request) }) as Server, 0);
    const functions: ConsiliumFunction[] = (await loadFunctions()).map((fn) =>
      // The quality sample is random by design; this journey is the one without peer review.
      fn.name === 'opinions' ? createOpinions({ identityUrl: served.url, random: () => 0.99 }) : fn,
    );
    harness = await testRuntime({ functions, http: httpTriggers, events: eventTriggers, cron: cronTriggers, sources: functions.map((f) => f.name) });
    serve = (request) => harness.runtime.app.fetch(request);
    await harness.runtime.start();
    api = client(harness.runtime.app);
  });
  after(async () => {
    await harness?.close();
    await served?.close();
    await closeDb();
  });

  it('opens, uploads, pays, triages, matches, writes, signs and delivers — then pays the professional', async () => {
    // Patient and professional share a language nobody else in the test run speaks, so this case is offered to her.
    const language = `q${String.fromCharCode(97 + randomInt(20))}${String.fromCharCode(97 + randomInt(26))}`;
    const ops = await signedInOps(api);
    const doctor = await signedInProfessional(api, { grade: 'G4', specialties: ['cardiology'], languages: [language], country: 'GB', opsToken: ops.token });

    const email = uniqueEmail('journey');
    await ok(await api.post('/v1/auth/register', { email, password: PASSWORD, name: 'Ada Lovelace', country: 'GB', locale: language }), 201);
    const patient = (await login(api, email)).accessToken;
    for (const purpose of ['processing', 'ai_analysis']) await ok(await api.post('/v1/consents', { purpose, version: '2026-01', granted: true }, patient), 201);

    // Stage 1: intake.
    const questions = ['Do I need an ablation?', 'Is apixaban the right anticoagulant for me?'];
    const { id: caseId } = await json<{ id: string }>(await ok(await api.post('/v1/cases', { title: 'Atrial fibrillation', questions, currency: 'EUR' }, patient), 201));
    const letter = await dischargeLetter();
    const intent = await json<{ id: string; uploadUrl: string; uploadHeaders: Record<string, string> }>(
      await ok(
        await api.post(`/v1/cases/${caseId}/documents`, { filename: 'discharge.pdf', contentType: 'application/pdf', size: letter.length, sha256: createHash('sha256').update(letter).digest('hex') }, patient),
        201,
      ),
    );
    assert.ok((await putUpload(intent, letter)).ok);
    await ok(await api.post(`/v1/cases/${caseId}/documents/${intent.id}/complete`, undefined, patient));
    const view = async () => json<{ status: string; specialty: string | null; documents: { status: string; pages: number }[] }>(await api.get(`/v1/cases/${caseId}`, patient));
    await eventually(async () => (await view()).documents[0]?.status === 'processed', 20_000, 'the letter read by documents');
    // Read, the letter is at rest only as ciphertext under the patient's key; the API still answers its bytes.
    const original = documentStorage.original(caseId, intent.id);
    const sealed = await createBlobStore(config()).get(original.key);
    assert.ok(sealed && Buffer.from(sealed).indexOf('%PDF') === -1, 'the object in the bucket is ciphertext');
    const staged = new URL(intent.uploadUrl).pathname.split('/').slice(-4).join('/'); // the key the upload URL names
    assert.match(staged, /^uploads\//);
    assert.equal(await createBlobStore(config()).head(staged), undefined, 'no plaintext left');
    const { downloadUrl } = await json<{ downloadUrl: string }>(await ok(await api.get(`/v1/cases/${caseId}/documents/${intent.id}`, patient)));
    const download = await ok(await api.get(new URL(downloadUrl).pathname + new URL(downloadUrl).search));
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), letter);
    await eventually(async () => (await api.post(`/v1/cases/${caseId}/submit`, undefined, patient)).status === 200, 10_000, 'submitted');

    // Stage 2: payment, then triage.
    // Payments learns of the submitted case from its event: until then the case is not payable there.
    let checkoutAnswer: Response | undefined;
    await eventually(async () => (checkoutAnswer = await api.post('/v1/payments/checkout', { caseId }, patient)).status === 201, 10_000, 'payable');
    const checkout = await json<{ paymentId: string; gateway: string }>(checkoutAnswer!);
    assert.equal(checkout.gateway, 'sandbox');
    await ok(await api.post(`/v1/payments/sandbox/${checkout.paymentId}/confirm`, {}));
    await eventually(async () => (await view()).status === 'matching', 20_000, 'paid and triaged');
    assert.equal((await view()).specialty, 'cardiology', 'the analyser read the letter');

    // Stage 3: the offer, and the winner.
    type Offers = { items: { id: string; caseId: string; summary: string }[] };
    let offer: Offers['items'][number] | undefined;
    await eventually(async () => {
      offer = (await json<Offers>(await api.get('/v1/offers', doctor.token))).items.find((o) => o.caseId === caseId);
      return offer !== undefined;
    }, 20_000, 'an offer for the doctor');
    assert.ok(!offer!.summary.includes('Ada'), 'offers carry the de-identified summary only');
    await ok(await api.post(`/v1/offers/${offer!.id}/accept`, undefined, doctor.token));
    await eventually(async () => (await view()).status === 'assigned', 10_000, 'assigned');
    assert.equal((await api.post(`/v1/offers/${offer!.id}/accept`, undefined, doctor.token)).status, 409);

    // Stage 4: the opinion, signed with a fresh second factor.
    const draft = {
      summary: 'Paroxysmal atrial fibrillation, well rate-controlled.',
      answers: questions.map((question) => ({ question, answer: `Considered answer to: ${question}` })),
      recommendations: 'Continue apixaban; review in three months.',
    };
    await ok(await api.put(`/v1/cases/${caseId}/opinion/draft`, draft, doctor.token));
    await eventually(async () => (await view()).status === 'in_review', 10_000, 'in review');
    assert.deepEqual(await json(await ok(await api.post(`/v1/cases/${caseId}/opinion/submit`, undefined, doctor.token))), { status: 'ready_to_sign' });
    // A step after the one spent signing in: the current one, or the next (identity accepts one step of drift).
    const code = totpCode(doctor.mfa!.secret, Math.max(Math.floor(Date.now() / 30_000), doctor.mfa!.step + 1) * 30_000);
    const signed = await json<{ signature: string }>(await ok(await api.post(`/v1/cases/${caseId}/opinion/sign`, { totp: code }, doctor.token)));
    assert.ok(signed.signature);

    // Stage 5: delivery, the report, and everyone paid what they are owed.
    await eventually(async () => (await view()).status === 'delivered', 10_000, 'delivered');
    const opinion = await json<{ contentHash: string }>(await ok(await api.get(`/v1/cases/${caseId}/opinion`, patient)));
    assert.deepEqual((await json<{ valid: boolean }>(await ok(await api.get(`/v1/opinions/verify?hash=${opinion.contentHash}`)))).valid, true);
    await eventually(async () => (await json<{ items: { caseId: string }[] }>(await api.get('/v1/payouts/earnings', doctor.token))).items.some((e) => e.caseId === caseId), 10_000, 'the earning');
    const timeline = (await json<{ timeline: { status: string }[] }>(await api.get(`/v1/cases/${caseId}`, patient))).timeline.map((t) => t.status);
    assert.deepEqual(timeline, ['draft', 'awaiting_payment', 'triage', 'matching', 'assigned', 'in_review', 'delivered']);
  });
});
