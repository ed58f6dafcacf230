import * as v from 'valibot';
import { defineEvent } from './envelope.ts';
import { Grade, Urgency } from './vocabulary.ts';

// The triage result is the one event that carries text: a de-identified summary (the scrubber has run over it),
// because professionals see it before they accept and matching must show it in offers without reading ai's tables.

export const CaseTriagedV1 = defineEvent(
  'case.triaged.v1',
  'A paid case was analysed: specialty, urgency and minimum grade proposed, with a de-identified summary; source says who wrote it.',
  v.object({
    caseId: v.string(),
    specialty: v.string(),
    urgency: Urgency,
    minGrade: Grade,
    summary: v.pipe(v.string(), v.maxLength(4000)),
    source: v.picklist(['built-in', 'provider', 'none']),
    /** Two readers (built-in and a provider, or two providers) disagreed; the opinion then goes to peer review. */
    disagreement: v.boolean(),
    redFlags: v.array(v.string()),
  }),
);

export const AiBudgetThresholdReachedV1 = defineEvent(
  'ai.budget.threshold-reached.v1',
  'AI provider spending reached a share of its monthly budget (80: warn ops; 100: routing falls back to the built-in analyser). Amounts in integer micro-units of currency.',
  v.object({
    scope: v.picklist(['overall', 'provider']),
    provider: v.optional(v.string()),
    month: v.pipe(v.string(), v.regex(/^\d{4}-\d{2}$/)),
    threshold: v.picklist([80, 100]),
    spentMicros: v.pipe(v.number(), v.integer(), v.minValue(0)),
    budgetMicros: v.pipe(v.number(), v.integer(), v.minValue(0)),
    currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/)),
  }),
);

export const AiTriageDegradedV1 = defineEvent(
  'ai.triage.degraded.v1',
  'A case was triaged without a provider although one was meant to read it (all failed or timed out), or without any text (source none); ops are alerted. Never carries text.',
  v.object({
    caseId: v.string(),
    reason: v.picklist(['providers-failed', 'no-text', 'documents-timed-out']),
    source: v.picklist(['built-in', 'none']),
    attempts: v.array(v.object({ provider: v.string(), outcome: v.string() })),
  }),
);
