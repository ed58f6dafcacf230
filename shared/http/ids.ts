import { problems } from './problem.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An id from the path; anything that cannot be one names an object that does not exist (404, never a 500).
 *
 * @example
 * const id = idParam(c.req.param('id'));
 */
export function idParam(id: string): string {
  if (!UUID.test(id)) throw problems.notFound();
  return id.toLowerCase();
}

/** Whether `value` is a UUID (cursors carry them). */
export const isUuid = (value: string) => UUID.test(value);
