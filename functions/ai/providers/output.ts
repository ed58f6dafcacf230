import * as v from 'valibot';
import { SPECIALTIES } from '../../../shared/auth/specialties.ts';

/** The structured answer every provider must give (validated; one retry on anything else, then fallback). */
export const ProviderOutput = v.object({
  summary: v.pipe(v.string(), v.minLength(1), v.maxLength(3000)),
  specialty: v.picklist(SPECIALTIES),
  urgency: v.picklist(['standard', 'urgent']),
  redFlags: v.pipe(v.array(v.pipe(v.string(), v.maxLength(80))), v.maxLength(20)),
  conditions: v.optional(
    v.pipe(v.array(v.object({ name: v.pipe(v.string(), v.maxLength(200)), icd10: v.optional(v.pipe(v.string(), v.maxLength(10))) })), v.maxLength(50)),
  ),
});

export type ProviderOutput = v.InferOutput<typeof ProviderOutput>;

/**
 * Reads a model's text as {@link ProviderOutput}: JSON (a ```json fence around it is tolerated) that passes the
 * schema; otherwise the problems, worded so the model can correct itself on the retry.
 *
 * @example
 * parseOutput('{"summary":"…","specialty":"cardiology","urgency":"urgent","redFlags":[]}'); // { ok: true, output }
 */
export function parseOutput(text: string): { ok: true; output: ProviderOutput } | { ok: false; problems: string[] } {
  const body = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, problems: ['the answer was not a JSON object'] };
  }
  const parsed = v.safeParse(ProviderOutput, json);
  if (parsed.success) return { ok: true, output: parsed.output };
  return { ok: false, problems: parsed.issues.slice(0, 10).map((i) => `${v.getDotPath(i) ?? '(root)'}: ${i.message}`) };
}
