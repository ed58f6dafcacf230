import * as cases from './case.ts';
import { isEventDefinition, type EventDefinition } from './envelope.ts';
import * as documents from './documents.ts';
import * as identity from './identity.ts';
import * as matching from './matching.ts';
import * as opinions from './opinions.ts';
import * as payments from './payments.ts';
import * as payouts from './payouts.ts';
import * as platform from './platform.ts';
import * as triage from './triage.ts';

export * from './case.ts';
export * from './documents.ts';
export * from './envelope.ts';
export * from './identity.ts';
export * from './matching.ts';
export * from './opinions.ts';
export * from './payments.ts';
export * from './payouts.ts';
export * from './platform.ts';
export * from './triage.ts';
export * from './vocabulary.ts';

/** Every event type the platform publishes, by type. Publishers and consumers import the definitions directly. */
export const catalogue: ReadonlyMap<string, EventDefinition> = new Map(
  [platform, identity, cases, documents, payments, payouts, triage, matching, opinions]
    .flatMap((module) => Object.values(module as Record<string, unknown>).filter(isEventDefinition))
    .map((definition) => [definition.type, definition]),
);
