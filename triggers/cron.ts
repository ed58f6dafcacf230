import type { CronTrigger } from './types.ts';

/**
 * Scheduled jobs. The local runtime ticks them in process; infra creates one PingSource per line. Every job must be
 * idempotent and safe to run twice at once.
 */
export const cronTriggers: CronTrigger[] = [];
