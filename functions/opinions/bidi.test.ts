import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bidiLevels, isRtlParagraph, visualOrder } from './bidi.ts';

describe('bidi (the subset the report needs)', () => {
  it('takes the paragraph direction from its first strong character', () => {
    assert.equal(isRtlParagraph('  45, محمد علي'), true);
    assert.equal(isRtlParagraph('Dr محمد'), false);
    assert.equal(isRtlParagraph('שלום'), true);
  });

  it('gives neutrals between one direction that direction, others the paragraph direction; numbers stay LTR', () => {
    assert.deepEqual(bidiLevels([...'Dr محمد علي'], false), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(bidiLevels([...'عمره 45 سنة'], true), [1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1]);
  });

  it('orders runs for display (L2)', () => {
    assert.deepEqual(visualOrder([0, 1, 1, 0]), [0, 2, 1, 3]);
    assert.deepEqual(visualOrder([1, 2, 1]), [2, 1, 0]);
    assert.deepEqual(visualOrder([0, 0]), [0, 1]);
  });
});
