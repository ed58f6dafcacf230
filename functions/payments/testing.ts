import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { toBinaryHttp, type EventData, type EventDefinition } from '../../events/envelope.ts';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { signPlatformToken } from '../../shared/auth/platform.ts';
import { config } from '../../shared/config/index.ts';
import { db } from '../../shared/db/index.ts';
import { client, identityApp, login, newPatient, signedInOps, type Client } from '../identity/testing.ts';
import { createPayments } from './app.ts';
import type { PaymentSettings } from './settings.ts';

/** Helpers for the payments tests: identity + payments on one origin, events delivered as the platform does. */

export const STRIPE_WEBHOOK_SECRET = 'whsec_test_consilium_payments';
/** A hex HMAC key as Adyen issues them. */
export const ADYEN_HMAC_KEY = '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056';

/** One app serving identity's routes and a payments function built from `overrides`. */
export function paymentsPlatform(overrides: Partial<PaymentSettings> = {}) {
  const payments = createPayments({ sandbox: true, ...overrides });
  const app = new Hono();
  app.route('/', identityApp());
  app.route('/', payments.app);
  return { app, api: client(app), payments };
}

/**
 * Delivers an event to the payments function as the platform would (binary CloudEvent, platform token).
 *
 * @example
 * await deliver(app, CaseSubmittedV1, data);
 */
export async function deliver<D extends EventDefinition>(app: Hono, definition: D, data: EventData<D>, id: string = randomUUID()): Promise<Response> {
  const { headers, body } = toBinaryHttp({
    specversion: '1.0', id, source: 'test', type: definition.type, time: new Date().toISOString(), datacontenttype: 'application/json', data,
  });
  const token = await signPlatformToken(config().platformSecret, 'payments');
  const res = await app.request('/_events', { method: 'POST', headers: { ...headers, authorization: `Bearer ${token}` }, body });
  if (res.status !== 200) throw new Error(`deliver ${definition.type}: ${res.status} ${await res.text()}`);
  return res;
}

/** A signed-in patient with a case awaiting payment (as case.submitted.v1 tells payments). */
export async function patientWithCase(
  platform: { app: Hono; api: Client },
  price: { amount: number; currency: string } = { amount: 29_000, currency: 'EUR' },
  country = 'DE',
): Promise<{ patient: { id: string; token: string }; caseId: string }> {
  const patient = await signedInPatient(platform.api);
  const caseId = randomUUID();
  await deliver(platform.app, CaseSubmittedV1, {
    caseId, ownerId: patient.id, urgency: 'standard', price, documentIds: [randomUUID()], questionCount: 2, patientCountry: country, patientLanguages: ['de'],
  });
  return { patient, caseId };
}

/** Checkout as `token`; returns the parsed body and status. */
export async function checkout(api: Client, token: string, caseId: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await api.post('/v1/payments/checkout', { caseId }, token);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** The events payments wrote about `subject` (a case), oldest first. */
export async function paymentEvents(subject: string): Promise<{ type: string; data: Record<string, any> }[]> {
  return [...(await db()<{ type: string; data: Record<string, any> }[]>`
    select type, data from bus.outbox where source = 'payments' and subject = ${subject} order by seq`)];
}

/** Journal lines booked for a payment, by account (debit - credit). */
export async function ledgerOf(paymentId: string): Promise<Record<string, number>> {
  const rows = await db()<{ account: string; net: string }[]>`
    select l.account, sum(l.debit - l.credit) as net from payments.journal_lines l join payments.journal_entries e on e.id = l.entry_id
    where e.payment_id = ${paymentId} group by l.account`;
  return Object.fromEntries(rows.map((r) => [r.account, Number(r.net)]));
}

/** A new patient, signed in. */
export async function signedInPatient(api: Client): Promise<{ id: string; token: string }> {
  const { id, email } = await newPatient(api);
  return { id, token: (await login(api, email)).accessToken };
}

/** A new ops account, signed in with its second factor. */
export const signedInOpsWithMfa = signedInOps;

/** What the fake Stripe saw. */
export interface StripeCall {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  form: URLSearchParams;
}

/**
 * A local server speaking Stripe's documented wire format for `POST /v1/payment_intents` and `POST /v1/refunds`
 * (form-encoded requests, JSON objects back, Idempotency-Key replays answered with the first response).
 *
 * @example
 * const stripe = await fakeStripe(); settings.stripe.api = stripe.api;
 */
export async function fakeStripe(): Promise<{ api: { host: string; port: number; protocol: 'http' }; calls: StripeCall[]; close(): Promise<void> }> {
  const calls: StripeCall[] = [];
  const replies = new Map<string, string>();
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    calls.push({ method: req.method!, path: req.url!, idempotencyKey, form });
    const send = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomUUID()}` }).end(body);
    if (!String(req.headers.authorization ?? '').startsWith('Bearer sk_test_')) return send(401, JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } }));
    const replay = idempotencyKey && replies.get(`${req.url}:${idempotencyKey}`);
    if (replay) return send(200, replay);
    let body: Record<string, unknown>;
    if (req.method === 'POST' && req.url === '/v1/payment_intents') {
      const id = `pi_${randomUUID().replaceAll('-', '')}`;
      const metadata = Object.fromEntries([...form].filter(([k]) => k.startsWith('metadata[')).map(([k, val]) => [k.slice(9, -1), val]));
      body = { id, object: 'payment_intent', amount: Number(form.get('amount')), currency: form.get('currency'), status: 'requires_payment_method', client_secret: `${id}_secret_${randomUUID().slice(0, 8)}`, metadata, livemode: false };
    } else if (req.method === 'POST' && req.url === '/v1/refunds') {
      const metadata = Object.fromEntries([...form].filter(([k]) => k.startsWith('metadata[')).map(([k, val]) => [k.slice(9, -1), val]));
      body = { id: `re_${randomUUID().replaceAll('-', '')}`, object: 'refund', amount: Number(form.get('amount')), payment_intent: form.get('payment_intent'), status: 'pending', metadata };
    } else {
      return send(404, JSON.stringify({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.url})` } }));
    }
    const text = JSON.stringify(body);
    if (idempotencyKey) replies.set(`${req.url}:${idempotencyKey}`, text);
    send(200, text);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { api: { host: '127.0.0.1', port, protocol: 'http' }, calls, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Stripe settings pointing at `api` with the test secrets. */
export const stripeSettings = (api: { host: string; port: number; protocol: 'http' }) => ({
  secretKey: 'sk_test_consilium', webhookSecret: STRIPE_WEBHOOK_SECRET, api, toleranceSeconds: 300,
});
