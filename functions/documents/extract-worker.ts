import { isMainThread, parentPort, Worker, workerData, type WorkerOptions } from 'node:worker_threads';
import type { DocumentKind } from '../../shared/blob/detect.ts';
import { DocumentFailure, extract, type ExtractOptions, type Extraction, type FailureReason } from './extract.ts';

// This module is both sides: the caller's `extractInWorker`, and — loaded again as a worker thread's entry, marked
// by its workerData — the thread that runs `extract`. Being its own entry needs it to be a file of its own in the
// bundle too: callers import it dynamically (`await import('./extract-worker.ts')`), which esbuild's code splitting
// (triggers/build.ts) emits as a chunk of its own whose `import.meta.url` is that chunk.

const ROLE = 'consilium:documents:extract';

interface Job {
  [ROLE]: true;
  bytes: Uint8Array;
  kind: DocumentKind;
  options: ExtractOptions;
}

/** What the thread answers: the extraction, why the document cannot be read, or a fault of the replica. */
type Reply =
  | { extraction: Extraction }
  | { failure: FailureReason; causeName?: string }
  | { fault: { name: string; message: string } };

const running = new Set<Worker>();

/**
 * How many extraction threads are running now (each is terminated once its document is read or its deadline
 * passes): a gauge for ops and for tests.
 *
 * @example
 * assert.equal(extractionWorkers(), 0);
 */
export function extractionWorkers(): number {
  return running.size;
}

function startWorker(job: Job): Worker {
  const entry = new URL(import.meta.url);
  const options: WorkerOptions = { workerData: job };
  // Under tsx (tests, `npm start`) Node 20 does not apply the parent's loader to a worker's entry module: register
  // tsx in the thread first. The bundle is plain JavaScript and starts the chunk directly.
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

function toError({ name, message }: { name: string; message: string }): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * {@link extract} in a worker thread of its own, so a pathological file (a PDF that makes pdf.js spin, a huge OCR
 * job) never holds the main thread, with a wall-clock deadline: once `timeoutMs` has passed since the thread was
 * started, the thread (and the OCR engine it started) is terminated and this throws `DocumentFailure('timeout')`.
 * The thread is gone before this settles, whatever the outcome. Plain text is decoded in place: linear in a size
 * already bounded. Throws as {@link extract} does: `DocumentFailure` for the document, anything else is the replica's
 * fault (retry).
 *
 * @example
 * const { text } = await extractInWorker(bytes, 'pdf', { ...documentsDefaults, deidentificationSecret }, { timeoutMs: 60_000 });
 */
export async function extractInWorker(
  bytes: Uint8Array,
  kind: DocumentKind,
  options: ExtractOptions,
  { timeoutMs }: { timeoutMs: number },
): Promise<Extraction> {
  if (kind === 'text') return extract(bytes, kind, options);
  const { maxPages, maxOcrPages, maxImagePixels, deidentificationSecret } = options;
  const worker = startWorker({ [ROLE]: true, bytes, kind, options: { maxPages, maxOcrPages, maxImagePixels, deidentificationSecret } });
  running.add(worker);
  worker.once('exit', () => running.delete(worker));
  let deadline: NodeJS.Timeout | undefined;
  let reply: Reply | 'timeout';
  try {
    reply = await new Promise<Reply | 'timeout'>((resolve, reject) => {
      deadline = setTimeout(() => resolve('timeout'), timeoutMs);
      worker.once('message', resolve);
      worker.once('error', reject); // the thread itself failed (could not load, ran out of memory): ours to retry
      worker.once('exit', (code) => reject(new Error(`the extraction thread exited with ${code} before answering`)));
    });
  } finally {
    clearTimeout(deadline);
    await worker.terminate();
  }
  if (reply === 'timeout') throw new DocumentFailure('timeout');
  if ('extraction' in reply) return reply.extraction;
  if ('failure' in reply) {
    // Only the name of what the reader threw crosses over: its message may quote the file.
    const cause = reply.causeName === undefined ? undefined : toError({ name: reply.causeName, message: 'thrown in the extraction thread' });
    throw new DocumentFailure(reply.failure, cause === undefined ? undefined : { cause });
  }
  throw toError(reply.fault);
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

if (!isMainThread && (workerData as Partial<Job> | null)?.[ROLE] === true) {
  const job = workerData as Job;
  void answer(job).then((reply) => parentPort!.postMessage(reply));
}
