/** The kinds of section a clinical note is divided into; findings are weighed and filtered by them. */
export type SectionKind =
  | 'complaint'
  | 'history'
  | 'past-history'
  | 'medications'
  | 'allergies'
  | 'family-history'
  | 'social-history'
  | 'review-of-systems'
  | 'examination'
  | 'results'
  | 'imaging'
  | 'assessment'
  | 'plan'
  | 'other';

/** A section: its kind, the header as written (normalised), and the character range it covers. */
export interface Section {
  kind: SectionKind;
  title: string;
  start: number;
  end: number;
}

// Header words → kind; the first rule whose words all appear in the header wins (order: most specific first).
const RULES: [SectionKind, RegExp][] = [
  ['family-history', /\bfamily\b|\bfhx?\b/],
  ['social-history', /\bsocial\b|\bshx?\b|lifestyle/],
  ['past-history', /past (medical|surgical)|\bpmh\b|\bpmhx\b|medical history|previous history|comorbidit/],
  ['allergies', /allerg/],
  ['medications', /medication|\bmeds\b|drug history|current treatment|prescriptions?/],
  ['review-of-systems', /review of systems|\bros\b|systems review|systemic enquiry/],
  ['examination', /exam|\bo\/e\b|on examination|vital|\bpe\b/],
  ['imaging', /imaging|radiology|\bct\b|\bmri\b|x-?ray|ultrasound|echo|scan/],
  ['results', /\blabs?\b|laborator|results|investigations|blood tests?|bloods/],
  ['assessment', /assessment|impression|diagnos[ie]s|conclusion|summary|problem list|\bdx\b/],
  ['plan', /\bplan\b|recommendation|management|follow[- ]?up|disposition/],
  ['complaint', /chief complaint|presenting complaint|reason for (referral|visit)|\bcc\b|\bpc\b/],
  ['history', /history|\bhpi\b|\bhpc\b|presentation|clinical details|subjective/],
];

// A header is a short line start ending with a colon ("Assessment:"), or a short line in capitals ("PLAN").
const HEADER = /^[ \t]*([A-Za-z][A-Za-z /&()'-]{1,48}?)[ \t]*:|^[ \t]*([A-Z][A-Z /&()'-]{2,48})[ \t]*$/gm;

/**
 * Splits a note into sections by its headers. Text before the first header is one 'other' section; a label that
 * names no known section ("BP: 140/90") is not a header.
 *
 * @example
 * detectSections('HPI: cough.\nAssessment: pneumonia.').map((s) => s.kind); // ['history', 'assessment']
 */
export function detectSections(text: string): Section[] {
  const heads: { kind: SectionKind; title: string; at: number }[] = [];
  for (const m of text.matchAll(HEADER)) {
    const title = (m[1] ?? m[2] ?? '').trim().toLowerCase();
    // "Patient: …", "Name: …", "Date: …": identification lines, not sections.
    if (/^(patient|name|date|dob|mrn|nhs|address|phone|tel|email|e-mail|age|sex|gender|ref|signed|dr)\b/.test(title)) continue;
    // "BP: 140/90" inside an examination is a label, not a new section: only known headers divide a note.
    const kind = RULES.find(([, rule]) => rule.test(title))?.[0];
    if (kind && title.split(' ').length <= 5) heads.push({ kind, title, at: m.index! });
  }
  const sections: Section[] = [];
  if (heads.length === 0 || heads[0]!.at > 0) sections.push({ kind: 'other', title: '', start: 0, end: heads[0]?.at ?? text.length });
  heads.forEach((head, i) => sections.push({ kind: head.kind, title: head.title, start: head.at, end: heads[i + 1]?.at ?? text.length }));
  return sections;
}

/**
 * The section a character offset falls in.
 *
 * @example
 * sectionAt(detectSections(note), 120)?.kind; // 'assessment'
 */
export function sectionAt(sections: readonly Section[], offset: number): Section | undefined {
  // Sections are few (a dozen); a linear scan beats building an index.
  for (const s of sections) if (offset >= s.start && offset < s.end) return s;
  return sections.at(-1);
}
