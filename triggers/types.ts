/** A public path prefix and the function that serves it (an ingress route in production). */
export interface HttpTrigger {
  prefix: `/${string}`;
  function: string;
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
