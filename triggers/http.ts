import type { HttpTrigger } from './types.ts';

/**
 * Which function serves which public path prefix. The local runtime mounts each function under its prefixes;
 * infra turns each into an ingress route to the function's Knative Service. Paths are not rewritten: a function's
 * routes carry their full path.
 */
export const httpTriggers: HttpTrigger[] = [
  { prefix: '/v1/auth', function: 'identity' },
  { prefix: '/v1/me', function: 'identity' },
  { prefix: '/v1/professionals', function: 'identity' },
  { prefix: '/v1/specialties', function: 'identity' },
  { prefix: '/v1/consents', function: 'identity' },
  { prefix: '/v1/cases', function: 'cases' },
  { prefix: '/v1/payouts', function: 'payouts' },
  { prefix: '/v1/cases/:id/opinion', function: 'opinions' },
  { prefix: '/v1/cases/:id/opinion.pdf', function: 'opinions' },
  { prefix: '/v1/cases/:id/followups', function: 'opinions' },
  { prefix: '/v1/opinions', function: 'opinions' },
  { prefix: '/v1/offers', function: 'matching' },
  { prefix: '/v1/ai', function: 'ai' },
  { prefix: '/v1/payments', function: 'payments' },
  { prefix: '/v1/webhooks/stripe', function: 'payments' },
  { prefix: '/v1/webhooks/adyen', function: 'payments' },
  { prefix: '/v1/invoices', function: 'payments' },
];
