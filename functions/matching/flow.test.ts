import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { CaseSubmittedV1 } from '../../events/case.ts';
import { MfaEnabledV1, ProfessionalVerifiedV1, UserRegisteredV1 } from '../../events/identity.ts';
import { CaseTriagedV1 } from '../../events/triage.ts';
import { emit } from '../../shared/bus/emit.ts';
import { closeDb, transaction } from '../../shared/db/index.ts';
import { eventually, testRuntime } from '../../test/support/runtime.ts';
import { uniqueName } from '../../test/support/names.ts';
import { cronTriggers } from '../../triggers/cron.ts';
import { eventTriggers } from '../../triggers/events.ts';
import { createMatching } from './app.ts';
import { offersOf, uniqueLanguage } from './testing.ts';

describe('matching in the runtime', () => {
  after(() => closeDb());

  it("identity's, cases' and triage's events reach matching through the bus (in process or JetStream) and the case is offered", async () => {
    const matching = createMatching();
    const source = uniqueName('upstream');
    const { runtime, close } = await testRuntime({
      functions: [matching],
      events: eventTriggers.filter((t) => t.function === 'matching'),
      // The real schedules: a tick sweeps at the real time, which no other suite's offer has reached.
      cron: cronTriggers.filter((t) => t.function === 'matching'),
      sources: [source],
    });
    try {
      await runtime.start();
      const [pro, patient, caseId, lang] = [randomUUID(), randomUUID(), randomUUID(), uniqueLanguage()];
      await transaction(async (tx) => {
        await emit(tx, ProfessionalVerifiedV1, { source, subject: pro, data: { professionalId: pro, grade: 'G3', specialties: ['oncology'], languages: [lang], licenseCountry: 'IT', verifiedBy: 'ops' } });
        await emit(tx, MfaEnabledV1, { source, subject: pro, data: { userId: pro } });
        await emit(tx, UserRegisteredV1, { source, subject: patient, data: { userId: patient, role: 'patient', country: 'IT', locale: `${lang}-IT` } });
      });
      // Matching keeps its own view: the search only opens once the professional's facts are in.
      await eventually(async () => (await transaction((tx) => tx`select 1 from matching.professionals where id = ${pro} and mfa and verified`)).length === 1);
      await transaction(async (tx) => {
        await emit(tx, CaseSubmittedV1, { source, subject: caseId, data: { caseId, ownerId: patient, urgency: 'urgent', price: { amount: 39_000, currency: 'EUR' }, documentIds: [], questionCount: 2, patientCountry: 'IT', patientLanguages: [lang] } });
        await emit(tx, CaseTriagedV1, { source, subject: caseId, data: { caseId, specialty: 'oncology', urgency: 'urgent', minGrade: 'G2', summary: 'De-identified summary.', source: 'built-in', disagreement: false, redFlags: [] } });
      });
      await eventually(async () => (await offersOf(caseId)).length > 0, 15_000, 'an offer for the triaged case');
      const [offer] = await offersOf(caseId);
      assert.equal(offer?.professionalId, pro);
      assert.equal(offer?.urgency, 'urgent');
      assert.equal(Number(offer?.feeAmount), 27_000);
    } finally {
      await close();
    }
  });
});
