// The 40 most frequent English function words. A crude signal: it tells English prose from other text, nothing more.
const ENGLISH_STOPWORDS = new Set(
  (
    'the of and to a in is it that for was on are as with be by at this have from or an not but were ' +
    'which has had been there their no all if its may after other than also these into'
  ).split(' '),
);

/** Below this many words a guess is noise. */
const MIN_WORDS = 8;
/** Share of words that are English stopwords above which the text is called English (prose runs at 35–50 %). */
const MIN_SHARE = 0.15;

/**
 * A crude language guess: `'en'` when common English stopwords make up a good share of the words, else `'und'`
 * (undetermined, BCP 47). It recognises no other language and says `'und'` for short or list-like text (lab tables,
 * DICOM tags) even when it is English; it is a hint for routing, never a fact about the patient.
 *
 * @example
 * guessLanguage('The patient was admitted with chest pain and a history of hypertension.'); // 'en'
 * guessLanguage('Le patient a été admis pour une douleur thoracique.'); // 'und'
 */
export function guessLanguage(text: string): 'en' | 'und' {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < MIN_WORDS) return 'und';
  const hits = words.filter((word) => ENGLISH_STOPWORDS.has(word)).length;
  return hits / words.length >= MIN_SHARE ? 'en' : 'und';
}
