/**
 * The deterministic de-identifier: what runs over every text before it leaves the platform (an external AI
 * provider) and over every summary professionals see. It favours removing too much over too little: a capitalised
 * word after a title goes, a number that looks like an id goes.
 *
 * Removed (HIPAA Safe Harbor's identifiers that occur in notes): names (after titles Mr/Mrs/Dr…, after labels like
 * "Patient:", "Name:", "Signed by", and every later occurrence of a name found so), dates of birth and every full
 * date (years alone stay), ages over 89, ids (MRN, NHS, SSN-like and long numbers), postal addresses and
 * postcodes, phone and fax numbers, e-mail addresses and URLs.
 */

/** What {@link scrub} returns: the text with placeholders, and how many of each kind it removed (never what). */
export interface Scrubbed {
  text: string;
  removed: Record<Placeholder, number>;
}

type Placeholder = 'NAME' | 'DATE' | 'ID' | 'ADDRESS' | 'PHONE' | 'EMAIL' | 'URL' | 'AGE';

const MONTH = String.raw`(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)`;
const DATE = String.raw`(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?${MONTH}\.?,?\s+\d{4}|${MONTH}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})`;
// A name: capitalised words or initials (O'Neil, Smith-Jones, J.), one to four of them.
const NAME = String.raw`((?:[A-Z][a-zA-Z'’-]+|[A-Z]\.)(?: (?:[A-Z][a-zA-Z'’-]+|[A-Z]\.)){0,3})`;
const TITLE = String.raw`\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Rev|Nurse|Sister)\.?[ \t]+`;
/** Labels whose value is a person's name; the first letter may be either case, the rest as written. */
const NAME_LABELS = ['Patient name', 'Patient', 'Name', 'Pt', 'Client', 'Signed by', 'Signed', 'Referred by', 'Referring physician', 'Referring doctor', 'GP', 'Consultant', 'Attending', 'Next of kin', 'NOK', 'Dear', 'Seen by', 'Dictated by', 'Author', 'Surgeon', 'Physician', 'Carer', 'Spouse', 'Husband', 'Wife', 'Son', 'Daughter']
  .map((l) => `[${l[0]!.toUpperCase()}${l[0]!.toLowerCase()}]${l.slice(1)}`)
  .join('|');
const ID_LABELS = String.raw`MRN|Medical record (?:number|no\.?)|Hospital (?:number|no\.?)|NHS (?:number|no\.?)|NHS|SSN|Social security (?:number|no\.?)|Patient ID|ID|Insurance (?:number|no\.?|ID)|Policy (?:number|no\.?)|Member ID|Account (?:number|no\.?)|CHI|Passport (?:number|no\.?)|Licen[cs]e (?:number|no\.?)`;

const RULES: [Placeholder, RegExp][] = [
  ['EMAIL', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g],
  ['URL', /\bhttps?:\/\/[^\s)]+|\bwww\.[^\s)]+/g],
  // Labelled ids before dates, so an SSN is never read as a date.
  ['ID', new RegExp(String.raw`(?<=\b(?:${ID_LABELS})(?:\s*[:#]\s*|\s+))[A-Z0-9][A-Z0-9 /-]{2,20}[A-Z0-9]\b`, 'gi')],
  ['ID', /\b\d{3}-\d{2}-\d{4}\b/g],
  // Labelled dates of birth (any format that has a digit), then every full date.
  ['DATE', new RegExp(String.raw`(?<=\b(?:DOB|D\.O\.B\.?|[Dd]ate of [Bb]irth|[Bb]orn on|[Bb]orn)(?:\s*[:\-]\s*|\s+))(?:${DATE}|[^\s,;]*\d[^\s,;]*)`, 'g')],
  ['DATE', new RegExp(DATE, 'gi')],
  ['PHONE', /(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}[\s.-]\d{3,4}(?:[\s.-]\d{3,4})?(?!\w)(?!\.\d)/g],
  ['ID', /\b\d{3}[ -]?\d{3}[ -]?\d{4}\b/g],
  ['ID', /\b[A-Z]{1,3}\d{6,}\b|\b\d{7,}\b/g],
  ['ADDRESS', /(?<=\b[Aa]ddress\s*[:\-]\s*)[^\n]+/g],
  ['ADDRESS', /\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Close|Way|Boulevard|Blvd|Court|Ct|Place|Pl|Crescent|Terrace|Gardens|Grove|Square|Sq|Parkway|Highway|Hwy)\b\.?(?:,?\s+(?:Apt|Flat|Unit|Suite)\.?\s*\w+)?/g],
  ['ADDRESS', /\b(?:Apt|Flat|Unit|Suite)\.?\s+\d+\w*\b/g],
  ['ADDRESS', /\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b/g],
  ['ADDRESS', /\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/g],
  ['AGE', /\b(?:9\d|1[0-2]\d)(?=[- ]?(?:years?|yrs?|y\/o|yo)\b)/gi],
  ['NAME', new RegExp(String.raw`(?<=${TITLE})${NAME}`, 'g')],
  ['NAME', new RegExp(String.raw`(?<=\b(?:${NAME_LABELS})\b[ \t]*[:,\-]?[ \t]*)${NAME}`, 'g')],
];

// Words a label rule can catch that are not names (kept so "Patient Denies…" stays readable when repeated).
const NOT_NAMES = new Set(['The', 'This', 'He', 'She', 'They', 'Is', 'Was', 'Has', 'Had', 'Denies', 'Reports', 'With', 'And', 'No', 'Not', 'A', 'An', 'In', 'On', 'At', 'Of']);

/**
 * Removes identifiers from `text`, replacing each with a bracketed placeholder (`[NAME]`, `[DATE]`, `[ID]`,
 * `[ADDRESS]`, `[PHONE]`, `[EMAIL]`, `[URL]`, age over 89 → `90+`). Deterministic: the same text, the same output.
 *
 * @example
 * scrub('Mr John Smith, DOB 03/04/1956, MRN 12345678, seen for AF. Smith is well.').text;
 * // '[NAME], DOB [DATE], MRN [ID], seen for AF. [NAME] is well.'
 */
export function scrub(text: string): Scrubbed {
  const removed: Record<Placeholder, number> = { NAME: 0, DATE: 0, ID: 0, ADDRESS: 0, PHONE: 0, EMAIL: 0, URL: 0, AGE: 0 };
  const names = new Set<string>();
  let out = text;
  for (const [kind, pattern] of RULES) {
    out = out.replace(pattern, (match: string) => {
      if (kind === 'PHONE' && match.replace(/\D/g, '').length < 9) return match; // "150-400" is a range, not a phone
      if (kind === 'NAME') {
        const words = match.split(/[ \t]+/).filter((w) => !NOT_NAMES.has(w));
        if (words.length === 0) return match;
        for (const w of words) if (w.length >= 3 && !w.endsWith('.')) names.add(w.replace(/['’]s$/, ''));
      }
      removed[kind]++;
      return kind === 'AGE' ? '90+' : `[${kind}]`;
    });
  }
  // A name found once is removed wherever else it appears ("Mr Smith … Smith reports…").
  if (names.size > 0) {
    const again = new RegExp(String.raw`\b(?:${[...names].map(escape).join('|')})(?:['’]s)?\b`, 'g');
    out = out.replace(again, () => {
      removed.NAME++;
      return '[NAME]';
    });
  }
  return { text: out, removed };
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
