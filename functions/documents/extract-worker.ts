import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { DocumentKind } from '../../shared/blob/detect.ts';
import { Admissions, type Admission } from './admission.ts';
import { documentsDefaults } from './config.ts';
import { DocumentFailure, extract, type ExtractOptions, type Extraction, type FailureReason } from './extract.ts';
import { countExtractionRefusal, observeExtractionQueue } from './metrics.ts';

// This module is both sides: the caller's pool, and — loaded again as a worker thread's entry, marked by its
// workerData — the thread that runs `extract` for one document after another. Being its own entry needs it to be a
// file of its own in the bundle too: callers import it dynamically (`await import('./extract-worker.ts')`), which
// esbuild's code splitting (triggers/build.ts) emits as a chunk of its own whose `import.meta.url` is that chunk.

const ROLE = 'consilium:documents:extract';

/** One document, as posted to a thread. */
interface Job {
  bytes: Uint8Array;
  kind: DocumentKind;
  options: ExtractOptions;
}

/** What the thread answers: the extraction, why the document cannot be read, or a fault of the replica. */
type Reply =
  | { extraction: Extraction }
  | { failure: FailureReason; causeName?: string }
  | { fault: { name: string; message: string } };

/** A document waiting for, or held by, a thread; `settle` gets its reply, `timeout`, or the thread's own failure. */
interface Pending {
  job: Job;
  timeoutMs: number;
  admission: Admission;
  settle: (outcome: Reply | 'timeout' | Error) => void;
}

/** One thread of a pool; `retiring` once it is being terminated, until its exit (it still counts against the size). */
interface Thread {
  worker: Worker;
  /** Documents it has answered. */
  read: number;
  pending?: Pending;
  deadline?: NodeJS.Timeout;
  retiring?: { outcome: 'timeout' | Error };
  error?: Error;
}

/**
 * What a pool holds now — `queued`: documents admitted and not yet taken by a thread (their bytes being read, or in
 * the queue), `queuedBytes` their announced size — and how many threads it has started and deliveries it has
 * refused in all: a gauge for ops and for tests.
 */
export interface PoolStats {
  threads: number;
  busy: number;
  queued: number;
  queuedBytes: number;
  started: number;
  refused: number;
}

/** How long a pool's queue may grow (defaults: `documentsDefaults`); see {@link ExtractionPool}. */
export interface QueueLimits {
  /** Documents that may wait behind each thread (`extractionQueuePerThread`). */
  queuePerThread?: number;
  /** Announced bytes of the documents waiting, at most; one of any size when none waits (`extractionQueueBytes`). */
  queueBytes?: number;
}

function startThread(): Worker {
  const entry = new URL(import.meta.url);
  const workerData = { [ROLE]: true };
  // Under tsx (tests, `npm start`) Node 20 does not apply the parent's loader to a worker's entry module: register
  // tsx in the thread first. The bundle is plain JavaScript and starts the chunk directly.
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { workerData, eval: true });
}

function toError({ name, message }: { name: string; message: string }): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function toExtraction(outcome: Reply | 'timeout' | Error): Extraction {
  if (outcome instanceof Error) throw outcome; // the thread itself failed (could not load, ran out of memory): ours to retry
  if (outcome === 'timeout') throw new DocumentFailure('timeout');
  if ('extraction' in outcome) return outcome.extraction;
  if ('failure' in outcome) {
    // Only the name of what the reader threw crosses over: its message may quote the file.
    const cause = outcome.causeName === undefined ? undefined : toError({ name: outcome.causeName, message: 'thrown in the extraction thread' });
    throw new DocumentFailure(outcome.failure, cause === undefined ? undefined : { cause });
  }
  throw toError(outcome.fault);
}

/**
 * Up to `threads` long-lived extraction threads that read documents one after another from a queue, so the thread
 * and its OCR engine (about a second to start) serve many documents, and memory is bounded by the pool size rather
 * than by the load. Threads start on demand; an idle one does not keep the process alive. A document past its
 * deadline has its thread (and the OCR engine in it) terminated; the queue goes on in a new thread.
 *
 * The queue is bounded: the pool holds at most `threads × (1 + queuePerThread)` documents, and the announced bytes
 * of those waiting for a thread at most `queueBytes`. A caller takes a place with {@link admit} before it reads a
 * document's bytes, so a refusal ({@link ExtractionRefused}) comes before anything is read or written.
 *
 * @example
 * const pool = new ExtractionPool({ threads: 2 });
 * const admission = pool.admit(upload.size, upload.documentId);
 * const { text } = await pool.extract(bytes, 'pdf', options, { timeoutMs: 60_000, admission });
 * await pool.close();
 */
export class ExtractionPool {
  readonly #size: number;
  readonly #documentsPerThread: number;
  readonly #admissions: Admissions;
  readonly #threads = new Set<Thread>();
  readonly #queue: Pending[] = [];
  #started = 0;

  /**
   * `documentsPerThread`: a thread is replaced after reading that many (default 200) — whatever pdf.js and the OCR
   * engine keep between documents goes with it, so a long-lived replica's memory stays what one thread needs.
   * `queuePerThread`, `queueBytes`: see {@link QueueLimits}.
   */
  constructor({
    threads,
    documentsPerThread = DOCUMENTS_PER_THREAD,
    queuePerThread = QUEUE_PER_THREAD,
    queueBytes = QUEUE_BYTES,
  }: { threads: number; documentsPerThread?: number } & QueueLimits) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`an extraction pool needs a whole number of threads ≥ 1, not ${threads}`);
    if (!Number.isInteger(documentsPerThread) || documentsPerThread < 1) throw new RangeError(`documentsPerThread must be a whole number ≥ 1, not ${documentsPerThread}`);
    if (!Number.isInteger(queuePerThread) || queuePerThread < 0) throw new RangeError(`queuePerThread must be a whole number ≥ 0, not ${queuePerThread}`);
    if (!Number.isInteger(queueBytes) || queueBytes < 0) throw new RangeError(`queueBytes must be a whole number ≥ 0, not ${queueBytes}`);
    this.#size = threads;
    this.#documentsPerThread = documentsPerThread;
    this.#admissions = new Admissions({ documents: threads * (1 + queuePerThread), waitingBytes: queueBytes }, countExtractionRefusal);
  }

  /**
   * A place in the pool for a document of `bytes` (as announced), taken before reading it; throws
   * {@link ExtractionRefused} when the pool holds all it may, or holds `documentId` already. The place is given
   * back when its extraction settles, or by {@link Admission.release} when it never reaches {@link extract}.
   */
  admit(bytes: number, documentId?: string): Admission {
    return this.#admissions.admit(bytes, documentId);
  }

  /**
   * {@link extract} in one of the pool's threads, once one is free, with a wall-clock deadline: once `timeoutMs`
   * has passed since a thread took the document (time in the queue does not count), that thread is terminated and
   * this throws `DocumentFailure('timeout')` — after the thread is gone. Plain text is decoded in place: linear in a
   * size already bounded. Without an `admission` it takes one itself (throwing {@link ExtractionRefused} when the
   * pool is full). Throws as {@link extract} does: `DocumentFailure` for the document, anything else is the replica's
   * fault (retry).
   */
  async extract(
    bytes: Uint8Array,
    kind: DocumentKind,
    options: ExtractOptions,
    { timeoutMs, admission }: { timeoutMs: number; admission?: Admission },
  ): Promise<Extraction> {
    if (kind === 'text') {
      admission?.release();
      return extract(bytes, kind, options);
    }
    const place = admission ?? this.admit(bytes.length);
    try {
      const { maxPages, maxOcrPages, maxImagePixels, deidentificationSecret } = options;
      const job: Job = { bytes, kind, options: { maxPages, maxOcrPages, maxImagePixels, deidentificationSecret } };
      const outcome = await new Promise<Reply | 'timeout' | Error>((settle) => {
        this.#queue.push({ job, timeoutMs, admission: place, settle });
        this.#dispatch();
      });
      return toExtraction(outcome);
    } finally {
      place.release();
    }
  }

  /** What the pool holds now; `threads` counts a terminated thread until it has exited. */
  stats(): PoolStats {
    let busy = 0;
    for (const thread of this.#threads) if (thread.pending) busy++;
    const { waiting, waitingBytes, refused } = this.#admissions.stats();
    return { threads: this.#threads.size, busy, queued: waiting, queuedBytes: waitingBytes, started: this.#started, refused };
  }

  /**
   * Terminates every thread and fails the documents in flight or queued with an Error (a fault: the event is retried
   * elsewhere). Settles once the threads are gone; a later `extract` starts new ones.
   */
  async close(): Promise<void> {
    const closed = new Error('the extraction pool was closed');
    for (const pending of this.#queue.splice(0)) pending.settle(closed);
    const exits = [...this.#threads].map((thread) => this.#retire(thread, closed));
    await Promise.all(exits);
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let free = [...this.#threads].find((thread) => !thread.pending && !thread.retiring);
      if (!free && this.#threads.size < this.#size) free = this.#spawn();
      if (!free) return; // every thread is busy: the document waits for the first to answer
      this.#assign(free, this.#queue.shift()!);
    }
  }

  #spawn(): Thread {
    const thread: Thread = { worker: startThread(), read: 0 };
    this.#started++;
    this.#threads.add(thread);
    thread.worker.on('message', (reply: Reply) => this.#answered(thread, reply));
    thread.worker.on('error', (error) => (thread.error = error)); // 'exit' follows
    thread.worker.on('exit', (code) => this.#exited(thread, code));
    return thread;
  }

  #assign(thread: Thread, pending: Pending): void {
    thread.pending = pending;
    pending.admission.waiting = false; // its bytes are the thread's now, bounded by the pool size
    thread.worker.ref();
    thread.deadline = setTimeout(() => void this.#retire(thread, 'timeout'), pending.timeoutMs);
    thread.worker.postMessage(pending.job);
  }

  #answered(thread: Thread, reply: Reply): void {
    const pending = thread.pending;
    if (!pending || thread.retiring) return; // too late: the deadline has passed and the thread is being terminated
    clearTimeout(thread.deadline);
    thread.pending = undefined;
    thread.read++;
    // Idle, the thread must not hold the process open at shutdown; it is kept for the next document, unless it has
    // read its share (its replacement starts with the next document, once it is gone).
    thread.worker.unref();
    if (thread.read >= this.#documentsPerThread) void this.#retire(thread, new Error('recycled'));
    pending.settle(reply);
    this.#dispatch();
  }

  /** Terminates a thread; its document (if any) is settled with `outcome` on its exit, so only once it is gone. */
  #retire(thread: Thread, outcome: 'timeout' | Error): Promise<unknown> {
    thread.retiring ??= { outcome };
    return thread.worker.terminate();
  }

  #exited(thread: Thread, code: number): void {
    clearTimeout(thread.deadline);
    this.#threads.delete(thread);
    const pending = thread.pending;
    thread.pending = undefined;
    if (pending) pending.settle(thread.retiring?.outcome ?? thread.error ?? new Error(`the extraction thread exited with ${code} before answering`));
    this.#dispatch();
  }
}

const DOCUMENTS_PER_THREAD = 200;
const { extractionQueuePerThread: QUEUE_PER_THREAD, extractionQueueBytes: QUEUE_BYTES } = documentsDefaults;

// One pool per settings asked for; a deployment asks for one (its DocumentsOptions), so it has one.
const pools = new Map<string, ExtractionPool>();

/** The waiting documents and bytes of this process's pools, for the gauges of metrics.ts. */
function queueReading() {
  let queued = 0;
  let queuedBytes = 0;
  for (const pool of pools.values()) {
    const stats = pool.stats();
    queued += stats.queued;
    queuedBytes += stats.queuedBytes;
  }
  return { queued, queuedBytes };
}

/**
 * This process's pool of `threads` extraction threads (default 1) with these queue limits, made on first use and
 * shared by every caller that asks for the same; its queue is what the replica's saturation gauges report.
 *
 * @example
 * const pool = extractionPool({ threads: 1, queuePerThread: 3, queueBytes: 64 * 1024 * 1024 });
 */
export function extractionPool({ threads = 1, ...limits }: { threads?: number } & QueueLimits = {}): ExtractionPool {
  const key = JSON.stringify([threads, limits.queuePerThread ?? QUEUE_PER_THREAD, limits.queueBytes ?? QUEUE_BYTES]);
  let pool = pools.get(key);
  if (!pool) pools.set(key, (pool = new ExtractionPool({ threads, ...limits })));
  observeExtractionQueue(queueReading);
  return pool;
}

/**
 * How many extraction threads of this process's pools are alive now, idle ones included, a terminated one until it
 * has exited: never more than the pool size, and 0 right after a timeout with nothing queued.
 *
 * @example
 * assert.equal(extractionWorkers(), 0);
 */
export function extractionWorkers(): number {
  let threads = 0;
  for (const pool of pools.values()) threads += pool.stats().threads;
  return threads;
}

/**
 * Terminates the threads of this process's pools, failing what they hold (see {@link ExtractionPool.close}); the
 * next extraction starts a new thread. Idle threads never hold the process open, so this is for tests and
 * for a shutdown that wants the memory back.
 *
 * @example
 * after(closeExtractionWorkers);
 */
export async function closeExtractionWorkers(): Promise<void> {
  await Promise.all([...pools.values()].map((pool) => pool.close()));
}

async function answer(job: Job): Promise<Reply> {
  try {
    return { extraction: await extract(job.bytes, job.kind, job.options) };
  } catch (error) {
    if (error instanceof DocumentFailure) return { failure: error.reason, ...(error.cause instanceof Error ? { causeName: error.cause.name } : {}) };
    const fault = error instanceof Error ? error : new Error(String(error));
    return { fault: { name: fault.name, message: fault.message } };
  }
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[ROLE] === true) {
  // The pool posts one document at a time and waits for its answer before the next.
  parentPort!.on('message', (job: Job) => void answer(job).then((reply) => parentPort!.postMessage(reply)));
}
