import * as v from 'valibot';
import type { FieldError } from '../../shared/http/problem.ts';
import type { DraftContent } from './queries.ts';

const Text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max));
// A draft may be unfinished: answers and texts may still be empty; submit insists (see missingParts).
const Unfinished = (max: number) => v.pipe(v.string(), v.trim(), v.maxLength(max));

/**
 * The body of PUT /v1/cases/{id}/opinion/draft: each answer carries the question it answers (the questions stay in cases).
 *
 * @example
 * app.put('/v1/cases/:id/opinion/draft', validate('json', DraftBody), handler);
 */
export const DraftBody = v.object({
  summary: Unfinished(20_000),
  answers: v.pipe(
    v.array(v.object({ question: Text(2000), answer: Unfinished(20_000) })),
    v.minLength(1, 'answer at least one question'),
    v.maxLength(10, 'a case has at most 10 questions'),
  ),
  recommendations: Unfinished(20_000),
  references: v.optional(v.pipe(v.array(Text(2000)), v.maxLength(50))),
  trials: v.optional(v.pipe(v.array(Text(2000)), v.maxLength(50))),
});

/**
 * What keeps a draft from being submitted, as field errors (empty: complete). Every question must have an answer:
 * with `questionCount` known (case.submitted.v1) the draft must carry that many answers; unknown, at least one.
 *
 * @example
 * missingParts(draft, 2); // [{ pointer: '/answers/1/answer', message: 'answer every question' }]
 */
export function missingParts(draft: DraftContent, questionCount: number | null): FieldError[] {
  const errors: FieldError[] = [];
  if (!draft.summary.trim()) errors.push({ pointer: '/summary', message: 'write a summary' });
  const expected = Math.max(questionCount ?? 1, draft.answers.length);
  for (let i = 0; i < expected; i++) {
    if (!draft.answers[i]?.answer.trim()) errors.push({ pointer: `/answers/${i}/answer`, message: 'answer every question' });
  }
  if (!draft.recommendations.trim()) errors.push({ pointer: '/recommendations', message: 'give your recommendations' });
  return errors;
}
