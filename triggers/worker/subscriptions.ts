import { eventTriggers } from '../events.ts';
import type { EventTrigger } from '../types.ts';

/**
 * The JetStream subscriptions the worker holds: in bridge mode one consumer (`broker`) for every declared type
 * (Triggers fan them out); in direct mode one per function for the types it declares.
 *
 * @example
 * jetStreamSubscriptions(true); // [{ consumer: 'broker', types: ['case.submitted.v1', …] }]
 */
export function jetStreamSubscriptions(bridge: boolean, triggers: readonly EventTrigger[] = eventTriggers): { consumer: string; types: string[] }[] {
  if (bridge) return [{ consumer: 'broker', types: [...new Set(triggers.map((t) => t.event))].sort() }].filter((s) => s.types.length > 0);
  const byFunction = new Map<string, string[]>();
  for (const t of triggers) byFunction.set(t.function, [...(byFunction.get(t.function) ?? []), t.event]);
  return [...byFunction].sort(([a], [b]) => a.localeCompare(b)).map(([consumer, types]) => ({ consumer, types: types.sort() }));
}
