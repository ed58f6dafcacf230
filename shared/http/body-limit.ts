import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * Refuses request bodies larger than `maxBytes` (the thrown error of `onTooLarge`, before the body is read).
 *
 * A declared `Content-Length` is decided from the header alone. Only a body of unknown length (chunked, or a
 * `Request` built in-process without the header) is counted while it streams, by Hono's `bodyLimit`. Hono's
 * middleware alone would turn every request into a full WHATWG `Request` with a web stream body just to ask
 * whether it has one; @hono/node-server reads a body without that detour only if nothing asked first, and the
 * detour cost a login ~10 % of its main-thread time (see bench/README.md).
 *
 * @example
 * app.use(limitBody(1024 * 1024, () => { throw problems.tooLarge('…'); }));
 */
export function limitBody(maxBytes: number, onTooLarge: () => never): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize: maxBytes, onError: onTooLarge });
  return async function limitBodySize(c, next) {
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      const bytes = Number(declared);
      // A malformed length never reaches us over HTTP/1.1 (Node's parser refuses it); treat it as too large anyway.
      if (!Number.isSafeInteger(bytes) || bytes > maxBytes) onTooLarge();
      return next();
    }
    return streamed(c, next);
  };
}
