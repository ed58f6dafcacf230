import * as cases from './case.ts';
import { isEventDefinition, type EventDefinition } from './envelope.ts';
import * as documents from './documents.ts';
import * as identity from './identity.ts';
import * as platform from './platform.ts';

export * from './case.ts';
export * from './documents.ts';
export * from './envelope.ts';
export * from './identity.ts';
export * from './platform.ts';

/** Every event type the platform publishes, by type. Publishers and consumers import the definitions directly. */
export const catalogue: ReadonlyMap<string, EventDefinition> = new Map(
  [platform, identity, cases, documents]
    .flatMap((module) => Object.values(module as Record<string, unknown>).filter(isEventDefinition))
    .map((definition) => [definition.type, definition]),
);
