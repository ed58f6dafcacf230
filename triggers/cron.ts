import type { CronTrigger } from './types.ts';

/**
 * Scheduled jobs. The local runtime ticks them in process; infra creates one PingSource per line. Every job must be
 * idempotent and safe to run twice at once.
 */
export const cronTriggers: CronTrigger[] = [
  { job: 'purge-abandoned-uploads', schedule: '17 * * * *', function: 'cases' },
  { job: 'flag-overdue-cases', schedule: '*/5 * * * *', function: 'cases' },
  { job: 'weekly-batch', schedule: '0 6 * * 1', function: 'payouts' },
  { job: 'close-follow-ups', schedule: '*/5 * * * *', function: 'opinions' },
  { job: 'expire-offers', schedule: '* * * * *', function: 'matching' },
  { job: 'reclaim-overdue', schedule: '* * * * *', function: 'matching' },
  { job: 'triage-sweep', schedule: '* * * * *', function: 'ai' },
  { job: 'send-refunds', schedule: '* * * * *', function: 'payments' },
];
