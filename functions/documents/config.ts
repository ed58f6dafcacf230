/** The limits of the documents pipeline; each has a default, and tests or a deployment may pass others. */
export interface DocumentsOptions {
  /**
   * Largest file read for its text; a bigger one is sealed as the original all the same and fails `too-large`.
   * Default: the upload limit cases enforces (`DOCUMENT_MAX_BYTES`, `config().documents.maxBytes`), so only a file
   * cases refused would exceed it.
   */
  maxBytes: number;
  /** Largest PDF read; more pages fail `too-large`. Default 500. */
  maxPages: number;
  /** Scanned pages of one PDF that are rendered and OCR'd (the first ones); the rest keep their (empty) text layer. Default 20. */
  maxOcrPages: number;
  /** Largest image (width × height) given to OCR; a bigger JPEG/PNG fails `too-large`. Default 40 megapixels. */
  maxImagePixels: number;
  /**
   * Wall-clock limit of reading one document (PDF, image, DICOM), which runs in an extraction thread; past it the
   * thread is terminated and the document fails `timeout`. Counted from when a thread takes the document, not
   * while it waits for one. Default 60 000 ms.
   */
  extractionTimeoutMs: number;
  /**
   * Long-lived threads that read documents one after another, each with an OCR engine of its own (its memory is
   * the cost of a thread); more documents at once wait in a queue. Default 1: a replica reads one document at a
   * time, and scales out rather than up.
   */
  extractionThreads: number;
  /**
   * Documents that may wait behind each extraction thread. A replica holds at most `extractionThreads × (1 +
   * extractionQueuePerThread)` documents that need a thread (plain text does not) and refuses a delivery beyond
   * that with 503 before reading anything, so the bus retries it later rather than the replica holding its bytes
   * for longer than the bus waits for an answer. Default 3: with one thread, the 4 requests Knative sends a documents
   * pod at once (infra `containerConcurrency`), so behind Knative it refuses nothing Knative would send; it bounds
   * the paths that send more (the in-process delivery queue, the bus worker delivering directly).
   */
  extractionQueuePerThread: number;
  /**
   * Announced bytes of the documents waiting for a thread, at most; one document of any size is taken when none
   * waits. Default 64 MiB: two uploads of the largest size (25 MiB) and change, whatever the queue length.
   */
  extractionQueueBytes: number;
}

/**
 * The defaults but `maxBytes` (from the configuration): sized so one upload cannot take a replica's memory or
 * minutes of its CPU.
 *
 * @example
 * createDocuments({ options: { ...documentsDefaults, maxOcrPages: 5 } });
 */
export const documentsDefaults: Omit<DocumentsOptions, 'maxBytes'> = {
  maxPages: 500,
  maxOcrPages: 20,
  maxImagePixels: 40_000_000,
  extractionTimeoutMs: 60_000,
  extractionThreads: 1,
  extractionQueuePerThread: 3,
  extractionQueueBytes: 64 * 1024 * 1024,
};
