import type { Sql, Tx } from '../../shared/db/index.ts';
import type { Urgency } from './config.ts';
import type { RequestRow } from './offer-queries.ts';

/** The read-only lists: a professional's open offers and ops' rescue queue. */

type Db = Sql | Tx;

export interface OpenOfferView {
  id: string;
  caseId: string;
  specialty: string;
  urgency: Urgency;
  summary: string | null;
  expiresAt: Date;
  feeAmount: string | number;
  feeCurrency: string;
}

/**
 * A professional's open offers: urgent first, then the soonest to expire.
 *
 * @example
 * const offers = await openOffersFor(tx, professionalId, now);
 */
export async function openOffersFor(sql: Db, professionalId: string, now: Date): Promise<OpenOfferView[]> {
  return sql<OpenOfferView[]>`
    select o.id, o.case_id, r.specialty, o.urgency, c.summary, o.expires_at, o.fee_amount, o.fee_currency
    from matching.offers o
    join matching.requests r on r.id = o.request_id
    left join matching.cases c on c.id = o.case_id
    where o.professional_id = ${professionalId} and o.state = 'open' and o.expires_at > ${now}
    order by (o.urgency = 'urgent') desc, o.expires_at, o.id`;
}

/**
 * The searches nobody accepted, oldest first: the ops rescue queue.
 *
 * @example
 * const queue = await rescueQueue(tx);
 */
export async function rescueQueue(sql: Db, limit = 200): Promise<RequestRow[]> {
  return sql<RequestRow[]>`select * from matching.requests where state = 'rescue' order by updated_at, id limit ${limit}`;
}
