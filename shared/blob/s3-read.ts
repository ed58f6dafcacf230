import http from 'node:http';
import https from 'node:https';

/** S3 answered a read with something other than the object or a missing key (the status and S3's error code). */
export class S3ReadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`S3 answered the read with ${status}${code ? ` ${code}` : ''}`);
    this.name = 'S3ReadError';
  }
}

/** What S3 answered a GET with: the status and the whole body (the object, or S3's XML error). */
export interface ReadAnswer {
  status: number;
  body: Uint8Array;
}

// As the SDK's standard retry strategy: three attempts for a dropped connection, throttling or a server error.
const ATTEMPTS = 3;
const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
const TIMEOUT_MS = 30_000;

/** A GET answered 200: the object's bytes as they arrive (iterating throws if they stop short). */
export interface ObjectStream {
  status: 200;
  stream: AsyncIterable<Uint8Array>;
}

/**
 * Reads objects by presigned GET URL on kept-alive sockets (50 per store, as the SDK's handler keeps), whole or as a
 * stream. The SDK's `send` resolves its middleware stack, endpoint rules and a schema-driven deserializer on every
 * call: for a 64 KiB object about 0.9 ms of CPU against 0.27 ms here (bench/README.md, "Intake"). Retries like the
 * SDK, as long as no byte of the object was handed on.
 *
 * @example
 * const reader = new ObjectReader('https:');
 * const { status, body } = await reader.read(presignedUrl);
 */
export class ObjectReader {
  readonly #agent: http.Agent;
  readonly #get: typeof http.get;

  constructor(protocol: string) {
    const secure = protocol === 'https:';
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 50 }) : new http.Agent({ keepAlive: true, maxSockets: 50 });
    this.#get = secure ? https.get : http.get;
  }

  /** The whole answer: the object, or S3's error. */
  read(url: string): Promise<ReadAnswer> {
    return this.#retried(async () => {
      const response = await this.#request(url);
      return { status: response.statusCode ?? 0, body: await whole(response) };
    });
  }

  /** The object as a stream when S3 answers 200; any other answer whole. */
  open(url: string): Promise<ObjectStream | ReadAnswer> {
    return this.#retried(async () => {
      const response = await this.#request(url);
      if (response.statusCode === 200) return { status: 200, stream: checked(response) };
      return { status: response.statusCode ?? 0, body: await whole(response) };
    });
  }

  /** Closes the kept-alive sockets. */
  destroy(): void {
    this.#agent.destroy();
  }

  async #retried<T extends { status: number }>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try {
        const answer = await attempt();
        if (n === ATTEMPTS || !RETRIED_STATUSES.has(answer.status)) return answer;
      } catch (error) {
        // A kept-alive socket the server closed as it was reused, a refused or timed-out connection.
        if (n === ATTEMPTS) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** n * (0.5 + Math.random())));
    }
  }

  #request(url: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = this.#get(url, { agent: this.#agent }, resolve);
      request.once('error', reject);
      request.setTimeout(TIMEOUT_MS, () => request.destroy(new Error(`S3 did not answer within ${TIMEOUT_MS} ms`)));
    });
  }
}

/**
 * The whole body, in a buffer of its own sized by Content-Length when S3 sends one (it does): never a slice of Node's
 * shared pool, since callers may transfer it to a worker, and no list of chunks to join.
 */
async function whole(response: http.IncomingMessage): Promise<Uint8Array> {
  const declared = Number(response.headers['content-length']);
  let body = new Uint8Array(Number.isSafeInteger(declared) && declared >= 0 ? declared : 0);
  let length = 0;
  for await (const chunk of checked(response)) {
    if (length + chunk.length > body.length) {
      const grown = new Uint8Array(Math.max(2 * body.length, length + chunk.length));
      grown.set(body.subarray(0, length));
      body = grown;
    }
    body.set(chunk, length);
    length += chunk.length;
  }
  return length === body.length ? body : body.slice(0, length);
}

/** The body's chunks; throws at the end if the connection closed before the whole body arrived. */
async function* checked(response: http.IncomingMessage): AsyncGenerator<Uint8Array> {
  for await (const chunk of response) yield chunk as Buffer;
  if (!response.complete) throw new Error('S3 closed the connection before the whole object arrived');
}

/** S3's error code from its XML error body (`<Code>NoSuchKey</Code>`), if it has one. */
export function s3ErrorCode(body: Uint8Array): string | undefined {
  return /<Code>([^<]{1,100})<\/Code>/.exec(new TextDecoder().decode(body.subarray(0, 4096)))?.[1];
}
