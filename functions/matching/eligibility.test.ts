import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { closeDb, db, transaction } from '../../shared/db/index.ts';
import { candidates } from './candidates.ts';
import { gradeRank, ineligibility, primaryLanguages, type CaseNeeds, type Ineligibility, type ProfessionalFacts } from './eligibility.ts';

const pro = (over: Partial<ProfessionalFacts> = {}): ProfessionalFacts => ({
  id: 'pro-1', status: 'active', verified: true, mfa: true, pausedInMatching: false, grade: 'G2',
  specialties: ['cardiology'], languages: ['fr'], licenseCountry: 'BE', activeCases: 0, ...over,
});
const needs = (over: Partial<CaseNeeds> = {}): CaseNeeds => ({
  ownerId: 'patient-1', specialties: ['cardiology'], minGrade: 'G2', patientCountry: 'BE', patientLanguages: ['fr-BE'],
  excluded: new Set(), activeCaseCap: 3, ...over,
});

const table: { name: string; pro: ProfessionalFacts; needs: CaseNeeds; expect: Ineligibility | null }[] = [
  { name: 'a matching professional is eligible', pro: pro(), needs: needs(), expect: null },
  { name: "'fr-BE' matches 'fr'", pro: pro({ languages: ['fr'] }), needs: needs({ patientLanguages: ['fr-BE'] }), expect: null },
  { name: "'FR-ca' matches 'fr-BE'", pro: pro({ languages: ['fr'] }), needs: needs({ patientLanguages: ['FR-ca'] }), expect: null },
  { name: 'no shared language', pro: pro({ languages: ['nl'] }), needs: needs(), expect: 'language' },
  { name: 'patient languages unknown: no language rule', pro: pro({ languages: ['nl'] }), needs: needs({ patientLanguages: [] }), expect: null },
  { name: 'licensed elsewhere', pro: pro({ licenseCountry: 'FR' }), needs: needs(), expect: 'license-country' },
  { name: 'patient country unknown: no licence rule', pro: pro({ licenseCountry: 'FR' }), needs: needs({ patientCountry: null }), expect: null },
  { name: 'grade below the minimum', pro: pro({ grade: 'G1' }), needs: needs(), expect: 'grade' },
  { name: 'grade above the minimum', pro: pro({ grade: 'G4' }), needs: needs(), expect: null },
  { name: 'exact grade band (tier 3 one lower)', pro: pro({ grade: 'G2' }), needs: needs({ minGrade: 'G3', exactGrade: 'G2' }), expect: null },
  { name: 'exact grade band refuses higher', pro: pro({ grade: 'G3' }), needs: needs({ minGrade: 'G3', exactGrade: 'G2' }), expect: 'grade' },
  { name: 'other specialty', pro: pro({ specialties: ['neurology'] }), needs: needs(), expect: 'specialty' },
  { name: 'one of several specialties', pro: pro({ specialties: ['neurology', 'cardiology'] }), needs: needs(), expect: null },
  { name: 'suspended', pro: pro({ status: 'suspended' }), needs: needs(), expect: 'not-active' },
  { name: 'paused by ops', pro: pro({ status: 'paused' }), needs: needs(), expect: 'paused' },
  { name: 'paused by matching', pro: pro({ pausedInMatching: true }), needs: needs(), expect: 'paused' },
  { name: 'not verified', pro: pro({ verified: false }), needs: needs(), expect: 'not-verified' },
  { name: 'MFA off', pro: pro({ mfa: false }), needs: needs(), expect: 'no-mfa' },
  { name: 'at the active case cap', pro: pro({ activeCases: 3 }), needs: needs(), expect: 'at-capacity' },
  { name: 'just below the cap', pro: pro({ activeCases: 2 }), needs: needs(), expect: null },
  { name: 'the patient themself', pro: pro({ id: 'patient-1' }), needs: needs(), expect: 'is-patient' },
  { name: 'declined or lost before', pro: pro(), needs: needs({ excluded: new Set(['pro-1']) }), expect: 'excluded' },
];

describe('eligibility', () => {
  after(() => closeDb());

  it('primary language subtags', () => {
    assert.deepEqual(primaryLanguages(['fr-BE', 'EN', 'en-GB', null, '', 'pt_BR']), ['fr', 'en', 'pt']);
  });

  for (const row of table) {
    it(`pure: ${row.name} → ${row.expect ?? 'eligible'}`, () => {
      assert.equal(ineligibility(row.pro, row.needs), row.expect);
    });
  }

  it('SQL selects exactly the professionals the pure rules allow (every row of the table)', async () => {
    // Each row gets its own specialty slug, so rows (and other suites) never see each other's professionals.
    for (const row of table) {
      const specialty = `spec-${randomUUID()}`;
      const swap = (list: readonly string[]) => list.map((s) => (s === 'cardiology' ? specialty : s));
      const id = row.pro.id === 'pro-1' ? randomUUID() : row.pro.id;
      const ownerId = row.needs.ownerId === row.pro.id ? id : randomUUID();
      const p = row.pro;
      await db()`
        insert into matching.professionals (id, status, verified, mfa, paused_at, grade, grade_rank, specialties, languages, license_country, active_cases)
        values (${id}, ${p.status}, ${p.verified}, ${p.mfa}, ${p.pausedInMatching ? new Date() : null}, ${p.grade}, ${p.grade ? gradeRank(p.grade) : 0},
          ${swap(p.specialties)}::text[], ${primaryLanguages(p.languages)}::text[], ${p.licenseCountry}, ${p.activeCases})`;
      const n = row.needs;
      const found = await transaction((tx) =>
        candidates(tx, {
          caseId: randomUUID(), requestId: randomUUID(), generation: 1, kind: 'opinion', ownerId, specialties: swap(n.specialties),
          minRank: gradeRank(n.minGrade), fitRank: gradeRank(n.minGrade), ...(n.exactGrade ? { exactRank: gradeRank(n.exactGrade) } : {}),
          country: n.patientCountry, languages: primaryLanguages(n.patientLanguages), activeCaseCap: n.activeCaseCap,
          excluded: n.excluded.has('pro-1') ? [id] : [],
        }),
      );
      assert.deepEqual(found.map((c) => c.id), row.expect === null ? [id] : [], `SQL disagrees on: ${row.name}`);
    }
  });
});
