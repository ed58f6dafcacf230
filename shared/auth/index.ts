export { ACCESS_TOKEN_ALGORITHMS, ACCESS_TOKEN_TYPE, authenticate, verifyAccessToken, type AuthenticateOptions } from './authenticate.ts';
export { compareGrades, GRADE_TITLES, GRADES, meetsGrade, type Grade } from './grades.ts';
export { defaultKeys, jwksFromUrl, jwksInProcess, registerInProcessKeys, type KeyResolver } from './keys.ts';
export { ACTIONS, authorize, decide, relationTo, type Action, type Decision, type Relation, type Resource } from './policy.ts';
export { ROLES, type Principal, type Role } from './principal.ts';
export { createRateLimiter, type RateLimiter, type RateRule, type RateVerdict } from './rate-limit.ts';
export { isSpecialty, SPECIALTIES, type Specialty } from './specialties.ts';
