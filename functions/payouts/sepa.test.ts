import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_DEBTOR } from './config.ts';
import { decimalAmount } from './money.ts';
import { PAIN_001_NAMESPACE, painXml, sepaText, type Transfer } from './sepa.ts';
import { at, childrenOf, parseXml } from './xml-reader.ts';

const creditor = (name: string, iban = 'GB82WEST12345698765432', bic: string | null = null) => ({ iban, bic, accountHolderName: name });

/** Adds decimal strings exactly by going back to minor units (two decimals). */
const cents = (decimal: string) => {
  const [whole, fraction = ''] = decimal.split('.');
  assert.equal(fraction.length, 2, `${decimal} has two decimals`);
  return BigInt(whole!) * 100n + BigInt(fraction);
};

describe('SEPA credit-transfer file (pain.001.001.09)', () => {
  it('is well-formed and says NbOfTxs, CtrlSum and each amount right, read back by a strict parser', () => {
    const transfers: Transfer[] = [
      { payoutId: randomUUID(), amount: 12_345, currency: 'EUR', creditor: creditor('Dr Zoë Müller & Söhne <GmbH>', 'DE89370400440532013000', 'COBADEFFXXX') },
      { payoutId: randomUUID(), amount: 5, currency: 'EUR', creditor: creditor("Dr O'Brien") },
      { payoutId: randomUUID(), amount: 100_000_000, currency: 'EUR', creditor: creditor('Prof. Ada Byron') },
    ];
    const batchId = randomUUID();
    const xml = painXml({ batchId, weekKey: '2026-W49', createdAt: new Date('2026-12-07T06:00:00.123Z'), debtor: DEFAULT_DEBTOR, transfers });
    const doc = parseXml(xml);
    assert.equal(doc.name, 'Document');
    assert.equal(doc.attributes.xmlns, PAIN_001_NAMESPACE);
    const header = at(doc, 'CstmrCdtTrfInitn/GrpHdr');
    assert.equal(at(header, 'MsgId').text, batchId.replaceAll('-', '').toUpperCase());
    assert.ok(at(header, 'MsgId').text.length <= 35);
    assert.equal(at(header, 'CreDtTm').text, '2026-12-07T06:00:00Z');
    assert.equal(at(header, 'NbOfTxs').text, '3');
    assert.equal(at(header, 'CtrlSum').text, '1000123.50');

    const blocks = childrenOf(at(doc, 'CstmrCdtTrfInitn'), 'PmtInf');
    assert.equal(blocks.length, 1);
    const block = blocks[0]!;
    assert.equal(at(block, 'PmtMtd').text, 'TRF');
    assert.equal(at(block, 'NbOfTxs').text, '3');
    assert.equal(at(block, 'CtrlSum').text, '1000123.50');
    assert.equal(at(block, 'Dbtr/Nm').text, DEFAULT_DEBTOR.name);
    assert.equal(at(block, 'DbtrAcct/Id/IBAN').text, DEFAULT_DEBTOR.iban);
    assert.equal(at(block, 'ReqdExctnDt/Dt').text, '2026-12-07');
    const txs = childrenOf(block, 'CdtTrfTxInf');
    assert.equal(txs.length, 3);
    let sum = 0n;
    txs.forEach((tx, i) => {
      const amount = at(tx, 'Amt/InstdAmt');
      assert.equal(amount.attributes.Ccy, 'EUR');
      assert.equal(amount.text, decimalAmount(transfers[i]!.amount, 'EUR'));
      sum += cents(amount.text);
      assert.equal(at(tx, 'PmtId/EndToEndId').text, transfers[i]!.payoutId.replaceAll('-', '').toUpperCase());
      assert.equal(at(tx, 'CdtrAcct/Id/IBAN').text, transfers[i]!.creditor.iban);
    });
    assert.equal(sum, cents(at(header, 'CtrlSum').text));
    assert.equal(at(txs[0]!, 'Cdtr/Nm').text, 'Dr Zoe Muller Sohne GmbH', 'reduced to the SEPA character set');
    assert.equal(at(txs[0]!, 'CdtrAgt/FinInstnId/BICFI').text, 'COBADEFFXXX');
    assert.equal(at(txs[1]!, 'Cdtr/Nm').text, "Dr O'Brien", 'apostrophes survive (escaped in the XML)');
    assert.ok(xml.includes('&apos;'));
    assert.equal(childrenOf(txs[1]!, 'CdtrAgt').length, 0, 'no agent without a BIC');
  });

  it('keeps NbOfTxs and CtrlSum right for any amounts, one payment block per currency', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ amount: fc.nat({ max: 50_000_000 }), currency: fc.constantFrom('EUR', 'CHF') }), { minLength: 1, maxLength: 12 }), (rows) => {
        const transfers = rows.map((r) => ({ ...r, payoutId: randomUUID(), creditor: creditor('Dr Test') }));
        const doc = parseXml(painXml({ batchId: randomUUID(), weekKey: '2026-W01', createdAt: new Date(), debtor: DEFAULT_DEBTOR, transfers }));
        const blocks = childrenOf(at(doc, 'CstmrCdtTrfInitn'), 'PmtInf');
        assert.equal(blocks.length, new Set(rows.map((r) => r.currency)).size);
        let count = 0;
        let total = 0n;
        for (const block of blocks) {
          const txs = childrenOf(block, 'CdtTrfTxInf');
          const euro = at(txs[0]!, 'Amt/InstdAmt').attributes.Ccy === 'EUR';
          assert.equal(childrenOf(block, 'PmtTpInf').length, euro ? 1 : 0, 'the SEPA service level only for euro');
          if (euro) assert.equal(at(block, 'PmtTpInf/SvcLvl/Cd').text, 'SEPA');
          assert.equal(at(block, 'NbOfTxs').text, String(txs.length));
          const blockSum = txs.reduce((s, tx) => s + cents(at(tx, 'Amt/InstdAmt').text), 0n);
          assert.equal(cents(at(block, 'CtrlSum').text), blockSum);
          count += txs.length;
          total += blockSum;
        }
        assert.equal(at(doc, 'CstmrCdtTrfInitn/GrpHdr/NbOfTxs').text, String(rows.length));
        assert.equal(cents(at(doc, 'CstmrCdtTrfInitn/GrpHdr/CtrlSum').text), total);
        assert.equal(total, BigInt(rows.reduce((s, r) => s + r.amount, 0)));
      }),
      { numRuns: 50 },
    );
  });

  it('reduces names to the SEPA character set', () => {
    assert.equal(sepaText('Dr Zoë Müller-Łukasik'), 'Dr Zoe Muller- ukasik');
    assert.equal(sepaText('<script>'), 'script');
    assert.equal(sepaText('你好'), 'NOTPROVIDED');
    assert.equal(sepaText('x'.repeat(100)).length, 70);
  });
});
