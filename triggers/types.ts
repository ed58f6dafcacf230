/** An HTTP method a trigger may be limited to. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A public path prefix and the function that serves it (an ingress route in production). Segments may be
 * parameters (`/v1/cases/:id/opinion`) and a trigger may be limited to some methods (`DELETE /v1/me` belongs to
 * compliance while `GET /v1/me` belongs to identity). The most specific trigger wins.
 */
export interface HttpTrigger {
  prefix: `/${string}`;
  function: string;
  methods?: HttpMethod[];
}

/** An event type and a function that consumes it (a Knative Trigger in production). */
export interface EventTrigger {
  event: string;
  function: string;
}

/** A scheduled job of a function (a PingSource in production); `schedule` is a five-field cron expression in UTC. */
export interface CronTrigger {
  job: string;
  schedule: string;
  function: string;
}
