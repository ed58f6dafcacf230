import { randomBytes } from 'node:crypto';

/** A name no other test uses, so suites can share one database, NATS and bucket without cleaning up. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}
