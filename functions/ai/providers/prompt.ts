import { SPECIALTIES } from '../../../shared/auth/specialties.ts';

/** The instructions every provider gets; the schema is spelled out because not every API enforces one. */
export const SYSTEM_PROMPT = [
  'You triage medical second-opinion requests. You read de-identified clinical records (identifiers appear as [NAME], [DATE], [ID]).',
  'Answer with one JSON object only, no prose, with exactly these fields:',
  '{"summary": string (at most 120 words, clinical, no identifiers), "specialty": one of ' + JSON.stringify(SPECIALTIES) + ',',
  ' "urgency": "standard" or "urgent", "redFlags": array of short kebab-case codes (e.g. "chest-pain"), "conditions": [{"name": string, "icd10": string}]}',
  'Urgent means a finding that should be seen within 24 hours (suspected cancer, acute coronary syndrome, stroke, sepsis, suicidality…).',
].join('\n');

/**
 * The user message: the scrubbed records, cut to `maxCharacters`, with the built-in analyser's codes as hints.
 *
 * @example
 * userPrompt(['[NAME] has AF.'], ['I48.91'], 24_000);
 */
export function userPrompt(scrubbedTexts: readonly string[], hintCodes: readonly string[], maxCharacters: number): string {
  let records = scrubbedTexts.map((t, i) => `--- record ${i + 1} ---\n${t}`).join('\n');
  if (records.length > maxCharacters) records = `${records.slice(0, maxCharacters)}\n[truncated]`;
  const hints = hintCodes.length ? `\nCodes an automatic reader found (may be wrong): ${hintCodes.join(', ')}` : '';
  return `${records}${hints}`;
}

/**
 * The follow-up after an invalid answer: what was wrong, and the demand for the JSON object alone.
 *
 * @example
 * correction(['specialty: Invalid type']);
 */
export function correction(problems: readonly string[]): string {
  return `Your previous answer was not valid: ${problems.join('; ')}. Answer again with only the JSON object described.`;
}
