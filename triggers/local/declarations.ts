import type { ConsiliumFunction } from '../../shared/http/function.ts';
import type { CronTrigger, EventTrigger, HttpTrigger } from '../types.ts';
import { overlaps } from '../http-order.ts';
import { assertSchedule } from './scheduler.ts';

/**
 * Refuses to run when `triggers/` and the functions disagree: a trigger naming a missing function, an event a
 * function is subscribed to but does not handle (or handles but is not subscribed to), a job without a handler,
 * a path claimed twice for the same method, or an invalid schedule. Infra builds from the same declarations, so what passes here
 * deploys the same way.
 */
export function checkDeclarations(declared: {
  functions: readonly ConsiliumFunction[];
  http: readonly HttpTrigger[];
  events: readonly EventTrigger[];
  cron: readonly CronTrigger[];
}): void {
  const problems: string[] = [];
  const byName = new Map(declared.functions.map((f) => [f.name, f]));
  const known = (name: string, where: string) => byName.has(name) || (problems.push(`${where}: no function named ${name}`), false);
  declared.http.forEach((route, i) => {
    known(route.function, `http ${route.prefix}`);
    const clash = declared.http.slice(0, i).find((earlier) => overlaps(earlier, route));
    if (clash) problems.push(`http ${route.prefix}: claimed by both ${clash.function} and ${route.function}`);
  });
  for (const f of declared.functions) {
    const subscribed = new Set(declared.events.filter((e) => e.function === f.name).map((e) => e.event));
    for (const type of subscribed) if (!f.consumes.includes(type)) problems.push(`events ${type}: ${f.name} has no handler for it`);
    for (const type of f.consumes) if (!subscribed.has(type)) problems.push(`events ${type}: ${f.name} handles it but triggers/events.ts does not subscribe it`);
    const scheduled = new Set(declared.cron.filter((c) => c.function === f.name).map((c) => c.job));
    for (const job of scheduled) if (!f.jobs.includes(job)) problems.push(`cron ${f.name}/${job}: no handler`);
    for (const job of f.jobs) if (!scheduled.has(job)) problems.push(`cron ${f.name}/${job}: handled but never scheduled in triggers/cron.ts`);
  }
  for (const e of declared.events) known(e.function, `events ${e.event}`);
  for (const c of declared.cron) {
    known(c.function, `cron ${c.job}`);
    try {
      assertSchedule(c);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length) throw new Error(`triggers/ and functions/ disagree:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
