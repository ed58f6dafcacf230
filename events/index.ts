import * as cases from './case.ts';
import type { EventDefinition } from './envelope.ts';
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
  [...Object.values(platform), ...Object.values(identity), ...Object.values(cases), ...Object.values(documents)].map(
    (definition) => [definition.type, definition],
  ),
);
