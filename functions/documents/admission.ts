/** Why the extraction pool will not take a document now; each passes once the pool has answered others. */
export type RefusalReason = 'documents' | 'bytes' | 'in-progress';

/**
 * The extraction pool cannot take this document now: it holds as many documents (`documents`) or waiting bytes
 * (`bytes`) as it may, or it holds this very document for another delivery (`in-progress`). Nothing was read or
 * written for it; the delivery is to be retried later, not the document failed.
 *
 * @example
 * if (error instanceof ExtractionRefused) throw new HttpProblem(503, 'extraction-saturated', { detail: error.message });
 */
export class ExtractionRefused extends Error {
  constructor(readonly reason: RefusalReason) {
    super(`the extraction pool cannot take the document now (${reason})`);
    this.name = 'ExtractionRefused';
  }
}

/** How much a pool may hold: documents in all (read or waiting), and announced bytes of those waiting for a thread. */
export interface AdmissionBounds {
  documents: number;
  waitingBytes: number;
}

/**
 * A document's place in an extraction pool, taken before its bytes are read so that a refusal comes before any
 * effect. It waits (its bytes count against the bound) until a thread takes it, and holds its place until released.
 */
export class Admission {
  /** Until a thread takes the document (the pool clears it): its bytes count against the bytes waiting. */
  waiting = true;
  #released = false;

  constructor(
    readonly bytes: number,
    readonly documentId: string | undefined,
    private readonly onRelease: (admission: Admission) => void,
  ) {}

  /** Gives the place back; idempotent, so both the pool (once the extraction settles) and its caller may call it. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.onRelease(this);
  }
}

/** What the admissions hold now, and how many were refused in all. */
export interface AdmissionStats {
  held: number;
  waiting: number;
  waitingBytes: number;
  refused: number;
}

/**
 * The bound on an extraction pool's queue: at most `documents` held at once, and the announced bytes of those not
 * yet taken by a thread at most `waitingBytes` — except that one document of any size is taken when none waits,
 * so a document larger than the bound is delayed, not refused for as long as the pool is busy.
 *
 * @example
 * const admissions = new Admissions({ documents: 4, waitingBytes: 64 * 1024 * 1024 });
 * const place = admissions.admit(upload.size, upload.documentId); // throws ExtractionRefused when full
 */
export class Admissions {
  readonly #bounds: AdmissionBounds;
  readonly #held = new Set<Admission>();
  readonly #documents = new Set<string>();
  #refused = 0;

  constructor(bounds: AdmissionBounds, private readonly onRefused: (reason: RefusalReason) => void = () => {}) {
    this.#bounds = bounds;
  }

  /** A place for a document of `bytes` (as announced), or {@link ExtractionRefused}. */
  admit(bytes: number, documentId?: string): Admission {
    const refusal = this.#refusal(bytes, documentId);
    if (refusal) {
      this.#refused++;
      this.onRefused(refusal);
      throw new ExtractionRefused(refusal);
    }
    const admission = new Admission(bytes, documentId, (released) => {
      this.#held.delete(released);
      if (released.documentId !== undefined) this.#documents.delete(released.documentId);
    });
    this.#held.add(admission);
    if (documentId !== undefined) this.#documents.add(documentId);
    return admission;
  }

  stats(): AdmissionStats {
    let waiting = 0;
    let waitingBytes = 0;
    for (const admission of this.#held) {
      if (!admission.waiting) continue;
      waiting++;
      waitingBytes += admission.bytes;
    }
    return { held: this.#held.size, waiting, waitingBytes, refused: this.#refused };
  }

  #refusal(bytes: number, documentId: string | undefined): RefusalReason | undefined {
    // A redelivery (its first delivery outlived the bus's patience) must not hold the same bytes twice.
    if (documentId !== undefined && this.#documents.has(documentId)) return 'in-progress';
    if (this.#held.size >= this.#bounds.documents) return 'documents';
    const { waiting, waitingBytes } = this.stats();
    if (waiting > 0 && waitingBytes + bytes > this.#bounds.waitingBytes) return 'bytes';
    return undefined;
  }
}
