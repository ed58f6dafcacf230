/**
 * `npm run manifests -- --out DIR [--config stack.json] [--image …] [--domain …] [--namespace …] [--acme-email …]`
 *
 * Writes the Kubernetes and Knative objects of the stack to DIR (see manifests.ts). `--config` takes the same keys
 * as the Pulumi stack config (`consilium:` prefix optional); flags override it. Needs no cluster and no Pulumi CLI.
 * Without an image, a domain or an ACME e-mail it renders with `.localhost` placeholders and says so on stderr, so
 * the bare command always shows what would be applied.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { declaredTriggers } from './declarations.ts';
import { renderManifests } from './manifests.ts';
import { parseSettings } from './settings.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    config: { type: 'string' },
    image: { type: 'string' },
    domain: { type: 'string' },
    namespace: { type: 'string' },
    'acme-email': { type: 'string' },
  },
});
if (!values.out) {
  console.error('usage: npm run manifests -- --out DIR [--config stack.json] [--image registry/repo:tag] [--domain api.example.com]');
  process.exit(2);
}
const fromFile: Record<string, unknown> = values.config ? JSON.parse(await readFile(values.config, 'utf8')) : {};
const raw: Record<string, unknown> = { target: 'onprem', ...Object.fromEntries(Object.entries(fromFile).map(([k, v]) => [k.replace(/^consilium:/, ''), v])) };
if (values.image) raw.image = values.image;
if (values.domain) raw.domain = values.domain;
if (values.namespace) raw.namespace = values.namespace;
if (values['acme-email']) raw.acmeEmail = values['acme-email'];
const placeholders = { image: 'registry.localhost/consilium:0.1.0', domain: 'consilium.localhost', acmeEmail: 'ops@consilium.localhost' };
for (const [key, value] of Object.entries(placeholders)) {
  if (raw[key] === undefined) {
    raw[key] = value;
    console.error(`manifests: no ${key} given, rendering with the placeholder ${value}`);
  }
}

// The seed only feeds Secrets, which are never written: a throwaway one keeps real secrets out of this process.
const files = await renderManifests(parseSettings(raw), declaredTriggers(), randomBytes(32).toString('hex'));
for (const [path, text] of files) {
  const target = join(values.out, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, text, path.endsWith('.sh') ? { mode: 0o755 } : {});
}
console.log(`wrote ${files.size} files to ${values.out}`);
process.exit(0);
