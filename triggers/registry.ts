import type { ConsiliumFunction } from '../shared/http/function.ts';
import { cronTriggers } from './cron.ts';
import { eventTriggers } from './events.ts';
import { httpTriggers } from './http.ts';

/** Every function some trigger names: the set `npm start` runs, `npm run build` bundles and infra deploys. */
export function declaredFunctionNames(): string[] {
  return [...new Set([...httpTriggers, ...eventTriggers, ...cronTriggers].map((t) => t.function))].sort();
}

/** Loads `functions/<name>/app.ts` (its default export) for each name. */
export async function loadFunctions(names: readonly string[] = declaredFunctionNames()): Promise<ConsiliumFunction[]> {
  return Promise.all(
    names.map(async (name) => {
      const module = (await import(`../functions/${name}/app.ts`)) as { default: ConsiliumFunction };
      if (module.default?.name !== name) throw new Error(`functions/${name}/app.ts must export default defineFunction({ name: '${name}', … })`);
      return module.default;
    }),
  );
}
