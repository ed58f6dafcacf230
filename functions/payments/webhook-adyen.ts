import { hmacValidator } from '@adyen/api-library';
import { Hono } from 'hono';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import type { GatewayNotice } from './gateways/types.ts';
import { ingest } from './ingest.ts';
import type { PaymentSettings } from './settings.ts';
import { webhookRejecter } from './webhook-reject.ts';

/** One item of an Adyen standard notification (the fields we read; Adyen sends strings). */
export interface AdyenItem {
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: { value: number; currency: string };
  eventCode: string;
  success: string;
  /** For dispute events, the scheme's reason in words. */
  reason?: string;
  additionalData?: Record<string, string>;
}

const DISPUTE_KIND: Record<string, GatewayNotice['kind']> = {
  NOTIFICATION_OF_CHARGEBACK: 'disputed', CHARGEBACK: 'dispute_lost', CHARGEBACK_REVERSED: 'dispute_won',
  SECOND_CHARGEBACK: 'dispute_lost_again', PREARBITRATION_LOST: 'dispute_lost_again', PREARBITRATION_WON: 'dispute_won_again',
};

const FRAUD: Record<string, GatewayNotice['risk']> = { GREEN: 'normal', AMBER: 'elevated', RED: 'highest' };

/**
 * Maps a verified notification item onto a gateway notice; the dedupe key is pspReference + eventCode, and
 * `success` decides between the outcome and its failure.
 *
 * @example
 * adyenNotice({ pspReference: 'P1', merchantReference: paymentId, eventCode: 'AUTHORISATION', success: 'true', amount: { value: 100, currency: 'EUR' }, merchantAccountCode: 'M' });
 */
export function adyenNotice(item: AdyenItem): GatewayNotice {
  const ok = String(item.success) === 'true';
  const base = { gateway: 'adyen' as const, eventKey: `${item.pspReference}:${item.eventCode}`, amount: item.amount?.value, currency: item.amount?.currency };
  switch (item.eventCode) {
    case 'AUTHORISATION':
      return {
        ...base, kind: ok ? 'succeeded' : 'failed', paymentRef: item.pspReference, paymentId: item.merchantReference,
        risk: FRAUD[item.additionalData?.fraudResultType ?? ''], cardCountry: item.additionalData?.cardIssuingCountry?.toUpperCase(),
      };
    case 'REFUND':
      return { ...base, kind: ok ? 'refunded' : 'refund_failed', paymentRef: item.originalReference, refundId: item.merchantReference, refundRef: item.pspReference };
    // Dispute events share the dispute's pspReference; originalReference is the disputed payment. NOTIFICATION_OF_CHARGEBACK
    // opens it (no money moves yet), CHARGEBACK takes the money (lost, unless defended: CHARGEBACK_REVERSED gives it back).
    // After a reversal the issuer may still win: SECOND_CHARGEBACK (it declined the defence) or PREARBITRATION_LOST take
    // the money again; the pre-arbitration may still be won (PREARBITRATION_WON: the issuer accepted it), which gives
    // that money back, for good.
    // No fee is read here: Adyen's dispute notifications carry none (their additionalData lists the chargeback's reason,
    // scheme, gross amount and status, no fee: https://docs.adyen.com/risk-management/disputes-api/dispute-notifications),
    // so none is booked, and a win (CHARGEBACK_REVERSED, PREARBITRATION_WON) has none to give back. Adyen invoices its
    // chargeback fee per chargeback booked whatever the outcome (its dispute guide weighs "the risk of losing the
    // chargeback fee for the second booked chargeback": https://docs.adyen.com/risk-management/manage-disputes); we found
    // no Adyen page saying a won dispute's fee is returned, so a win books nothing for fees.
    case 'NOTIFICATION_OF_CHARGEBACK':
    case 'CHARGEBACK':
    case 'CHARGEBACK_REVERSED':
    case 'SECOND_CHARGEBACK':
    case 'PREARBITRATION_LOST':
    case 'PREARBITRATION_WON':
      return {
        ...base, kind: DISPUTE_KIND[item.eventCode]!, paymentRef: item.originalReference, disputeRef: item.pspReference,
        reason: item.additionalData?.chargebackReasonCode ?? item.reason,
      };
    default:
      return { ...base, kind: 'ignored' };
  }
}

const validator = new hmacValidator();

/**
 * `POST /v1/webhooks/adyen`: every item's HMAC is checked with the library's validator before anything is stored
 * (one bad item refuses the batch, 400); each item is then applied once. Adyen expects the literal `[accepted]`.
 *
 * @example
 * app.route('/', adyenWebhookRoutes(settings));
 */
export function adyenWebhookRoutes(settings: PaymentSettings): Hono {
  const app = new Hono();
  const rejectWebhook = webhookRejecter(settings);
  app.post(
    '/v1/webhooks/adyen',
    describe({ summary: 'Adyen standard notification (HMAC)', tags: ['payments'], audience: 'Adyen', responses: { 200: '[accepted]', 400: 'Bad HMAC', 429: 'Too many refused webhooks from this address' } }),
    async (c) => {
      if (!settings.adyen) throw new HttpProblem(404, 'not-found', { detail: 'Adyen is not configured.' });
      let items: AdyenItem[];
      try {
        const body = JSON.parse(await c.req.text()) as { notificationItems?: { NotificationRequestItem?: AdyenItem }[] };
        items = (body.notificationItems ?? []).map((n) => n.NotificationRequestItem!);
        if (items.length === 0 || items.some((i) => !i || typeof i.pspReference !== 'string' || typeof i.eventCode !== 'string' || !i.amount)) throw new Error('malformed');
      } catch {
        throw await rejectWebhook(c, 'adyen', 'malformed');
      }
      for (const item of items) {
        if (!item.additionalData?.hmacSignature) throw await rejectWebhook(c, 'adyen', 'missing-signature');
        let valid = false;
        try {
          valid = validator.validateHMAC(item as never, settings.adyen.hmacKey);
        } catch {
          valid = false;
        }
        if (!valid) throw await rejectWebhook(c, 'adyen', 'bad-signature');
      }
      for (const item of items) await transaction((tx) => ingest(tx, settings, adyenNotice(item)));
      return c.text('[accepted]');
    },
  );
  return app;
}
