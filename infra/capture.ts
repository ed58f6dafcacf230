/**
 * Runs Pulumi programs in process against Pulumi's runtime mocks — no CLI, no cluster, no cloud — and records what
 * they register. The tests inspect the records; `npm run manifests` turns them into YAML.
 */
import * as pulumi from '@pulumi/pulumi';

/** One resource registration as the engine would have received it. */
export interface Registered {
  type: string;
  name: string;
  inputs: any;
  provider: string;
  /** URNs of the resources it waits for (dependsOn and implicit). */
  dependencies: string[];
  urn: string;
}

let stackCount = 0;

/** The marker Pulumi's wire format wraps a secret value in. */
const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** Deserialized inputs with secret wrappers replaced by their values, so a leak is visible to a plain search. */
function revealed(value: any): any {
  if (Array.isArray(value)) return value.map(revealed);
  if (value && typeof value === 'object') {
    if (SECRET_SIG in value) return revealed(value.value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
  }
  return value;
}

/**
 * Installs fresh mocks (and a fresh stack, so URNs never clash between runs) and returns the list every later
 * registration is appended to. `config` is stack config (`consilium:key` → value); keys in `secretKeys` are secret.
 *
 * @example
 * const registered = await mockRuntime({ 'consilium:target': 'onprem' });
 */
export async function mockRuntime(config: Record<string, string> = {}, secretKeys: string[] = []): Promise<Registered[]> {
  const registered: Registered[] = [];
  pulumi.runtime.setAllConfig(config, secretKeys);
  await pulumi.runtime.setMocks(
    {
      // Cloud outputs a target reads (endpoints, issuers) come back as the inputs: enough for the layer above.
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      call: (args) => args.inputs,
    },
    'consilium',
    `mock-${process.pid}-${++stackCount}`,
    false,
  );
  // The mock monitor does not pass dependencies to newResource; read them from the registration request itself.
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
    register(req, (err: unknown, res: any) => {
      if (!err) {
        registered.push({
          type: req.getType(),
          name: req.getName(),
          inputs: revealed(pulumi.runtime.deserializeProperties(req.getObject())),
          provider: req.getProvider(),
          dependencies: req.getDependenciesList(),
          urn: res.getUrn(),
        });
      }
      callback(err, res);
    });
  return registered;
}

/**
 * Waits until registrations stop coming (outputs resolve asynchronously, so a program's last resources register
 * after it returns).
 *
 * @example
 * await quiet(registered);
 */
export async function quiet(registered: Registered[], idleMs = 40): Promise<void> {
  let last = -1;
  while (registered.length !== last) {
    last = registered.length;
    await new Promise((resolve) => setTimeout(resolve, idleMs));
  }
}

/**
 * The Kubernetes `apiVersion` and `kind` of a registered type token (`kubernetes:apps/v1:Deployment`).
 *
 * @example
 * kubernetesKind('kubernetes:core/v1:ConfigMap'); // { apiVersion: 'v1', kind: 'ConfigMap' }
 */
export function kubernetesKind(type: string): { apiVersion: string; kind: string } | undefined {
  const match = /^kubernetes:([^:]+):([A-Za-z]+)$/.exec(type);
  if (!match) return undefined;
  return { apiVersion: match[1]!.replace(/^core\//, ''), kind: match[2]! };
}
