import * as v from 'valibot';
import { defineEvent } from './envelope.ts';

/** Raised when a delivery is parked after its last attempt, so ops are alerted and can replay it. */
export const EventDeadLetteredV1 = defineEvent(
  'platform.event.dead-lettered.v1',
  'An event could not be delivered to a consumer after every attempt and was parked for ops to replay.',
  v.object({
    deadLetterId: v.number(),
    eventId: v.string(),
    eventType: v.string(),
    consumer: v.string(),
    attempts: v.number(),
  }),
);
