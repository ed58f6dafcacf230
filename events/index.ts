import type { EventDefinition } from './envelope.ts';
import * as platform from './platform.ts';

export * from './envelope.ts';
export * from './platform.ts';

/** Every event type the platform publishes, by type. Publishers and consumers import the definitions directly. */
export const catalogue: ReadonlyMap<string, EventDefinition> = new Map(
  [...Object.values(platform)].map((definition) => [definition.type, definition]),
);
