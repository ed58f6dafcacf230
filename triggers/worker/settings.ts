/**
 * The bus worker's own settings (not in shared/config: only this Deployment reads them).
 * - BUS_BROKER_URL: the Knative Broker's ingress. Set (infra does): JetStream → Broker bridge. Unset: the worker
 *   delivers JetStream events straight to each function's `/_events` with a platform token.
 * - BUS_BROKER_TOKEN_FILE: the projected service-account token presented to the Broker (Eventing OIDC).
 */
export interface WorkerSettings {
  brokerUrl?: string;
  brokerTokenFile?: string;
}

/**
 * Reads the worker's settings from the environment.
 *
 * @example
 * workerSettings({ BUS_BROKER_URL: 'http://broker-ingress.knative-eventing.svc.cluster.local/consilium/default' });
 */
export function workerSettings(env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const brokerUrl = env.BUS_BROKER_URL?.trim();
  if (brokerUrl && !/^https?:\/\//.test(brokerUrl)) throw new Error('BUS_BROKER_URL: must be an http(s) URL');
  const brokerTokenFile = env.BUS_BROKER_TOKEN_FILE?.trim();
  return { ...(brokerUrl ? { brokerUrl } : {}), ...(brokerTokenFile ? { brokerTokenFile } : {}) };
}
