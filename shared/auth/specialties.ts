/**
 * The medical specialties a case can ask for and a professional can be verified in: lower-case slugs, served at
 * `GET /v1/specialties`. Adding one is safe; renaming or removing one breaks stored cases and credentials.
 */
export const SPECIALTIES = [
  'allergy-immunology',
  'anesthesiology',
  'cardiology',
  'dermatology',
  'endocrinology',
  'gastroenterology',
  'general-surgery',
  'genetics',
  'geriatrics',
  'gynecology',
  'hematology',
  'infectious-diseases',
  'internal-medicine',
  'nephrology',
  'neurology',
  'neurosurgery',
  'oncology',
  'ophthalmology',
  'orthopedics',
  'otolaryngology',
  'pathology',
  'pediatrics',
  'psychiatry',
  'pulmonology',
  'radiology',
  'rheumatology',
  'urology',
  'vascular-surgery',
] as const;

export type Specialty = (typeof SPECIALTIES)[number];

/**
 * Whether `slug` is one of {@link SPECIALTIES}.
 *
 * @example
 * isSpecialty('cardiology'); // true
 */
export function isSpecialty(slug: string): slug is Specialty {
  return (SPECIALTIES as readonly string[]).includes(slug);
}
