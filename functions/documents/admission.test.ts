import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Admissions, ExtractionRefused, type RefusalReason } from './admission.ts';

const refusedFor = (reason: RefusalReason) => (error: unknown) => error instanceof ExtractionRefused && error.reason === reason;

describe('Admissions', () => {
  it('holds at most `documents`, and takes the next once a place is given back (twice giving back counts once)', () => {
    const admissions = new Admissions({ documents: 2, waitingBytes: 1000 });
    const first = admissions.admit(10);
    admissions.admit(10);
    assert.throws(() => admissions.admit(10), refusedFor('documents'));
    assert.deepEqual(admissions.stats(), { held: 2, waiting: 2, waitingBytes: 20, refused: 1 });
    first.release();
    first.release();
    admissions.admit(10);
    assert.throws(() => admissions.admit(10), refusedFor('documents'));
    assert.deepEqual(admissions.stats(), { held: 2, waiting: 2, waitingBytes: 20, refused: 2 });
  });

  it('bounds the bytes waiting; one document of any size when none waits; a document taken by a thread no longer waits', () => {
    const admissions = new Admissions({ documents: 10, waitingBytes: 100 });
    const large = admissions.admit(500);
    assert.throws(() => admissions.admit(1), refusedFor('bytes'));
    large.waiting = false; // a thread took it
    admissions.admit(60);
    admissions.admit(40);
    assert.throws(() => admissions.admit(1), refusedFor('bytes'));
    assert.deepEqual(admissions.stats(), { held: 3, waiting: 2, waitingBytes: 100, refused: 2 });
  });

  it('refuses a document it holds already, for another delivery, until that place is given back', () => {
    const reasons: RefusalReason[] = [];
    const admissions = new Admissions({ documents: 10, waitingBytes: 1000 }, (reason) => reasons.push(reason));
    const held = admissions.admit(10, 'document-1');
    assert.throws(() => admissions.admit(10, 'document-1'), refusedFor('in-progress'));
    admissions.admit(10, 'document-2');
    held.release();
    admissions.admit(10, 'document-1');
    assert.deepEqual(reasons, ['in-progress']);
  });
});
