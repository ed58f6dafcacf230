import type { EventTrigger } from './types.ts';

/**
 * Which function consumes which event type. The local runtime delivers accordingly; infra creates one Knative
 * Trigger per line. A function must handle exactly the types listed for it (checked at start-up and in tests).
 */
export const eventTriggers: EventTrigger[] = [];
