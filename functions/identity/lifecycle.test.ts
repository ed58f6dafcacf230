import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canTransition, type ProfessionalStatus } from './lifecycle.ts';

describe('professional lifecycle', () => {
  const table: [ProfessionalStatus, ProfessionalStatus, boolean][] = [
    ['pending_verification', 'active', true],
    ['pending_verification', 'paused', false],
    ['pending_verification', 'suspended', false],
    ['active', 'active', true],
    ['active', 'paused', true],
    ['active', 'suspended', true],
    ['active', 'pending_verification', false],
    ['paused', 'active', true],
    ['paused', 'suspended', true],
    ['suspended', 'active', true],
    ['suspended', 'paused', false],
  ];
  for (const [from, to, expected] of table) {
    it(`${from} → ${to}: ${expected ? 'allowed' : 'refused'}`, () => assert.equal(canTransition(from, to), expected));
  }
});
