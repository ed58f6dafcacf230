import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { EarningRecordedV1, PayoutPaidV1 } from '../../events/payouts.ts';
import { OpinionDeliveredV1 } from '../../events/opinions.ts';
import { closeDb, db, transaction, type Tx } from '../../shared/db/index.ts';
import { ingest } from './ingest.ts';
import type { PaymentStatus } from './lifecycle.ts';
import { insertPayment, upsertSubmittedCase } from './queries.ts';
import { KEEPS_MONEY } from './revenue.ts';
import { paymentSettings } from './settings.ts';
import { deliver, ledgerOf, paymentsPlatform } from './testing.ts';
import { proportion } from './vat.ts';

after(() => closeDb());

/** Every journal entry balances, and every running balance equals the sum of its lines (one consistent snapshot). */
async function ledgerInvariants(): Promise<void> {
  const [check] = await db()<{ unbalanced: string; drifted: string }[]>`
    select
      (select count(*) from (
         select e.id from payments.journal_entries e join payments.journal_lines l on l.entry_id = e.id
         group by e.id having sum(l.debit) <> sum(l.credit)) u) as unbalanced,
      (select count(*) from payments.account_balances b
         full join (select l.account, e.currency, sum(l.debit) as debit, sum(l.credit) as credit
                    from payments.journal_lines l join payments.journal_entries e on e.id = l.entry_id group by 1, 2) s
           on s.account = b.account and s.currency = b.currency
         where coalesce(b.debit, 0) <> coalesce(s.debit, 0) or coalesce(b.credit, 0) <> coalesce(s.credit, 0)) as drifted`;
  assert.equal(Number(check!.unbalanced), 0, 'every entry balances');
  assert.equal(Number(check!.drifted), 0, 'balances are the sum of their lines');
}

describe('ledger enforced by the database', () => {
  it('refuses an unbalanced entry at COMMIT, whatever wrote it', async () => {
    const attempt = (lines: [string, number, number][]) =>
      transaction(async (tx) => {
        const [entry] = await tx<{ id: string }[]>`
          insert into payments.journal_entries (kind, ref, currency) values ('adjustment', ${randomUUID()}, 'EUR') returning id`;
        for (const [account, debit, credit] of lines) {
          await tx`insert into payments.journal_lines (entry_id, account, debit, credit) values (${entry!.id}, ${account}, ${debit}, ${credit})`;
        }
      });
    await assert.rejects(attempt([['gateway_clearing', 1000, 0], ['revenue', 0, 999]]), /does not balance/);
    await assert.rejects(attempt([['gateway_clearing', 1000, 0]]), /does not balance/);
    await attempt([['gateway_clearing', 1000, 0], ['revenue', 0, 1000]]);
    await assert.rejects(db()`update payments.journal_lines set debit = debit + 1 where account = 'gateway_clearing'`, /append-only/);
    await ledgerInvariants();
  });

  it('a second dispute lost on a charged-back payment, then won, does not restore it (found by the property below)', async () => {
    const settings = paymentSettings();
    const [caseId, paymentId] = [randomUUID(), randomUUID()];
    const event = (eventKey: string, extra: Record<string, unknown>) =>
      transaction((tx) => ingest(tx, settings, { gateway: 'sandbox', eventKey, paymentId, amount: 1000, currency: 'EUR', ...extra } as Parameters<typeof ingest>[2]));
    await transaction(async (tx) => {
      await upsertSubmittedCase(tx, { caseId, ownerId: randomUUID(), priceAmount: 1000, priceCurrency: 'EUR', urgency: 'standard', specialty: null, patientCountry: 'DE' });
      await insertPayment(tx, { id: paymentId, caseId, ownerId: 'x', gateway: 'sandbox', amount: 1000, currency: 'EUR', country: 'DE', ip: '10.0.0.1', ipCountry: null });
    });
    await event(`p:${paymentId}`, { kind: 'succeeded' });
    await event(`a:${paymentId}`, { kind: 'dispute_lost', disputeRef: `dpa_${paymentId}` });
    await event(`b1:${paymentId}`, { kind: 'dispute_lost', disputeRef: `dpb_${paymentId}` });
    await event(`b2:${paymentId}`, { kind: 'dispute_won', disputeRef: `dpb_${paymentId}` });
    const [row] = await db()<{ status: string; clearing: string }[]>`
      select p.status, (select coalesce(sum(l.debit - l.credit), 0) from payments.journal_lines l join payments.journal_entries e on e.id = l.entry_id
                        where e.payment_id = p.id and l.account = 'gateway_clearing') as clearing
      from payments.payments p where p.id = ${paymentId}`;
    assert.deepEqual({ status: row!.status, clearing: Number(row!.clearing) }, { status: 'charged_back', clearing: 0 });
    await ledgerInvariants();
  });

  it('any sequence of payments (some held, some captured late), refunds, disputes, deliveries, earnings and payouts keeps the ledger exact and the statuses true', async () => {
    const platform = paymentsPlatform();
    const settings = paymentSettings({ sandbox: true });
    const op = fc.oneof(
      // A late payment's capture webhook comes in its own step (`capture`), so its disputes may overtake it.
      fc.record({
        kind: fc.constant('pay' as const), amount: fc.integer({ min: 1, max: 500_000 }), country: fc.constantFrom('DE', 'FR', 'US', 'CH', null), currency: fc.constantFrom('EUR', 'USD'),
        held: fc.boolean(), late: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('capture' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('refund' as const), which: fc.nat(), shareBp: fc.integer({ min: 1, max: 10_000 }) }),
      fc.record({ kind: fc.constant('deliver' as const), which: fc.nat() }),
      fc.record({ kind: fc.constant('earn' as const), amount: fc.integer({ min: 1, max: 100_000 }) }),
      fc.record({ kind: fc.constant('payout' as const), amount: fc.integer({ min: 1, max: 100_000 }) }),
      // A dispute's events in any order, some twice; a loss may report a fee, a win that it was given back or kept (or
      // say nothing of it). Twice as likely as other steps: the paths worth finding (a dispute overtaking a late
      // capture, say) need one in the right place.
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('dispute' as const), which: fc.nat(), fee: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined }),
          winFee: fc.constantFrom('unsaid' as const, 'returned' as const, 'kept' as const),
          events: fc.array(fc.constantFrom('disputed' as const, 'dispute_won' as const, 'dispute_lost' as const, 'dispute_lost_again' as const, 'dispute_won_again' as const), { minLength: 1, maxLength: 5 }),
        }),
      },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        // `riskFirst`: its capture webhook (risky when `held`) came before any of its disputes. `fees`: what the gateway
        // said it kept for each dispute, on the closings that were news. `holders`: the disputes open on it since
        // they disputed it or found it disputed (or charged back) by others. `delivered`: its case was.
        const paid: {
          paymentId: string; caseId: string; amount: number; currency: string; held: boolean; riskFirst: boolean; disputed: boolean;
          fees: Map<string, number>; holders: Set<string>; delivered: boolean;
        }[] = [];
        const capture = (tx: Tx, p: (typeof paid)[number]) => ingest(tx, settings, {
          gateway: 'sandbox', eventKey: `p:${p.paymentId}`, kind: 'succeeded', paymentId: p.paymentId, amount: p.amount, currency: p.currency, risk: p.held ? 'highest' : undefined,
        });
        const statusOf = async (p: (typeof paid)[number]) => (await db()<{ status: string }[]>`select status from payments.payments where id = ${p.paymentId}`)[0]!.status;
        // Only disputes have a payment disputed, and none is left disputed by no dispute.
        const disputesHold = async (p: (typeof paid)[number]) => {
          const status = await statusOf(p);
          if (p.holders.size) assert.ok(['disputed', 'charged_back'].includes(status), `a ${status} payment with ${p.holders.size} open disputes holding it`);
          if (status === 'disputed') assert.ok(p.holders.size > 0, 'a disputed payment no open dispute holds');
        };
        for (const o of ops) {
          if (o.kind === 'pay') {
            const p = {
              paymentId: randomUUID(), caseId: randomUUID(), amount: o.amount, currency: o.currency, held: o.held, riskFirst: !o.late, disputed: false,
              fees: new Map<string, number>(), holders: new Set<string>(), delivered: false,
            };
            await transaction(async (tx) => {
              await upsertSubmittedCase(tx, { caseId: p.caseId, ownerId: randomUUID(), priceAmount: o.amount, priceCurrency: o.currency, urgency: 'standard', specialty: null, patientCountry: o.country });
              await insertPayment(tx, { id: p.paymentId, caseId: p.caseId, ownerId: 'x', gateway: 'sandbox', amount: o.amount, currency: o.currency, country: o.country, ip: '10.0.0.1', ipCountry: null });
              if (!o.late) await capture(tx, p);
            });
            paid.push(p);
          } else if (o.kind === 'capture' && paid.length) {
            const p = paid[o.which % paid.length]!;
            await transaction((tx) => capture(tx, p));
            p.riskFirst ||= !p.disputed;
          } else if (o.kind === 'refund' && paid.length) {
            const p = paid[o.which % paid.length]!;
            const amount = Math.max(1, Math.floor((p.amount * o.shareBp) / 10_000));
            // A refund takes the payment out of disputed for good: its open disputes hold it no more.
            if ((await statusOf(p)) === 'disputed') p.holders.clear();
            await transaction((tx) => ingest(tx, settings, { gateway: 'sandbox', eventKey: `r:${randomUUID()}`, kind: 'refunded', paymentId: p.paymentId, amount, currency: p.currency }));
          } else if (o.kind === 'deliver' && paid.length) {
            const p = paid[o.which % paid.length]!;
            p.delivered = true;
            await deliver(platform.app, OpinionDeliveredV1, {
              caseId: p.caseId, opinionId: randomUUID(), ownerId: 'x', authorId: 'a', authorGrade: 'G2', reviewerId: null, reviewerGrade: null,
              specialty: 'cardiology', urgency: 'standard', contentHash: 'a'.repeat(64), signedAt: new Date().toISOString(), followUpUntil: new Date().toISOString(),
            });
          } else if (o.kind === 'dispute' && paid.length) {
            const p = paid[o.which % paid.length]!;
            p.disputed = true;
            const disputeRef = `dp_${randomUUID()}`;
            // The dispute as recorded: which of its events are news (a replay, or anything after its last word, is not).
            const record = { status: 'open' as 'open' | 'won' | 'lost', lostAgain: false, wonAgain: false, seen: new Set<string>() };
            const news = (kind: (typeof o.events)[number]): boolean => {
              if (record.seen.has(kind)) return false;
              record.seen.add(kind);
              if (record.wonAgain || (record.lostAgain && kind !== 'dispute_won_again')) return false;
              if (kind === 'disputed') return record.status === 'open';
              const status = kind === 'dispute_won' || kind === 'dispute_won_again' ? 'won' : 'lost';
              // Lost again, or won in pre-arbitration, whatever came before; otherwise won is final and lost once.
              if (kind === 'dispute_won' || kind === 'dispute_lost') {
                if (record.status === 'won' || record.status === status) return false;
              }
              Object.assign(record, { status, lostAgain: record.lostAgain || kind === 'dispute_lost_again', wonAgain: kind === 'dispute_won_again' });
              return true;
            };
            for (const kind of o.events) {
              const won = kind === 'dispute_won' || kind === 'dispute_won_again';
              const reported = kind === 'disputed' ? undefined : won ? { unsaid: undefined, returned: 0, kept: o.fee }[o.winFee] : o.fee;
              const fee = reported === undefined ? undefined : { amount: reported, currency: p.currency };
              const status = await statusOf(p);
              if (news(kind)) {
                if (kind !== 'disputed') p.holders.delete(disputeRef);
                else if (['held', 'captured', 'refunding', 'disputed', 'charged_back'].includes(status)) p.holders.add(disputeRef);
                if (reported !== undefined) p.fees.set(disputeRef, reported);
              }
              await transaction((tx) => ingest(tx, settings, { gateway: 'sandbox', eventKey: `${disputeRef}:${kind}`, kind, disputeRef, paymentId: p.paymentId, amount: p.amount, currency: p.currency, fee }));
              await disputesHold(p);
            }
          } else if (o.kind === 'earn') {
            await deliver(platform.app, EarningRecordedV1, { earningId: randomUUID(), professionalId: 'pro', caseId: randomUUID(), role: 'author', grade: 'G2', urgency: 'standard', amount: { amount: o.amount, currency: 'EUR' } });
          } else if (o.kind === 'payout') {
            await deliver(platform.app, PayoutPaidV1, { payoutId: randomUUID(), batchId: randomUUID(), professionalId: 'pro', amount: { amount: o.amount, currency: 'EUR' } });
          }
        }
        await ledgerInvariants();
        for (const p of paid) {
          await disputesHold(p);
          const [row] = await db()<{
            refunded: string; status: string; lost: boolean; announced: string; recognised: boolean; unreversed: string; net: string | null; tax: string | null; gross: string | null;
          }[]>`
            select p.refunded_amount as refunded, p.status, i.net, i.tax, i.gross,
                   exists (select 1 from payments.disputes d where d.payment_id = p.id and d.status = 'lost') as lost,
                   (select count(*) from bus.outbox o where o.subject = ${p.caseId} and o.type = 'payment.captured.v1') as announced,
                   exists (select 1 from payments.journal_entries e where e.kind = 'delivery' and e.payment_id = p.id) as recognised,
                   (select count(*) from payments.disputes d join payments.journal_entries c on c.kind = 'chargeback' and c.ref in (d.id::text, d.id::text || ':again')
                      where d.payment_id = p.id and d.won_again
                        and not exists (select 1 from payments.journal_entries r where r.kind = 'chargeback_reversal' and r.ref = c.ref)) as unreversed
            from payments.payments p left join payments.invoices i on i.payment_id = p.id where p.id = ${p.paymentId}`;
          const { status } = row!;
          const accounts = await ledgerOf(p.paymentId);
          const [clearing, deferred, vat, revenue, refunds, platformFees] = [
            accounts.gateway_clearing, accounts.deferred_revenue, accounts.vat_payable, accounts.revenue, accounts.refunds, accounts.platform_fees,
          ].map((n) => n ?? 0) as [number, number, number, number, number, number];
          // Money in minus money back (refunded, or all that was left when charged back) minus the dispute fees the
          // gateway last said it kept is what clearing holds; a payment never captured holds nothing.
          const fees = [...p.fees.values()].reduce((sum, fee) => sum + fee, 0);
          const kept = ['pending', 'failed', 'charged_back'].includes(status) ? 0 : p.amount - Number(row!.refunded);
          assert.equal(platformFees, fees, `dispute fees of a ${status} payment`);
          assert.equal(clearing, kept - fees, `clearing of a ${status} payment`);
          // What it keeps is owed exactly as its invoice splits it, cut as its refunds were: the VAT, and the net as
          // deferred revenue until delivered, then as revenue (less refunds).
          if (row!.gross !== null) {
            const invoice = { net: Number(row!.net), tax: Number(row!.tax), gross: Number(row!.gross), rateBp: 0 };
            const gone = proportion(invoice, p.amount - kept);
            const owed = { vat: invoice.tax - gone.tax, net: invoice.net - gone.net };
            assert.deepEqual([vat + owed.vat, deferred + revenue + refunds + owed.net], [0, 0], `VAT and net of a ${status} payment owing ${JSON.stringify(owed)}`);
          }
          // Where its money sits: deferred until its revenue is recognised (delivery entry), then revenue less refunds;
          // recognised once its case is delivered while it keeps money; nothing anywhere once nothing is kept.
          if (!row!.recognised) assert.deepEqual([revenue, refunds], [0, 0], `revenue / refunds of a ${status} payment whose revenue was never recognised`);
          else assert.equal(deferred, 0, `deferred revenue of a recognised ${status} payment`);
          if (p.delivered && kept > 0 && KEEPS_MONEY.includes(status as PaymentStatus)) assert.ok(row!.recognised, `a delivered ${status} payment keeping ${kept} recognised nothing`);
          if (kept === 0) assert.deepEqual([deferred, vat, revenue + refunds], [0, 0, 0], `what a ${status} payment keeping nothing still owes`);
          // Each dispute's events come one after another here, so a lost one is the last word on money still held.
          if (row!.lost && Number(row!.refunded) < p.amount) assert.equal(status, 'charged_back', 'a payment with a lost dispute and money left is charged back');
          // A win in pre-arbitration is a dispute's last word: whatever of it was charged back is given back.
          assert.equal(Number(row!.unreversed), 0, 'a chargeback of a dispute won in pre-arbitration still stands');
          // Announced once when captured (by its capture or a win standing for it), never while held.
          const announced = Number(row!.announced);
          assert.ok(announced <= 1 && (status !== 'captured' || announced === 1) && (status !== 'held' || announced === 0), `${status} payment announced ${announced} times`);
          // Nobody releases here: a held payment's case never starts, whatever its disputes did, when the risk was known first.
          if (p.held && p.riskFirst) assert.deepEqual([status === 'captured', announced], [false, 0], `held payment ended ${status}`);
        }
      }),
      { numRuns: 100 },
    );
  });
});
