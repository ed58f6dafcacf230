import { config } from '../../shared/config/index.ts';
import type { Grade } from '../../shared/auth/grades.ts';
import { signingKeyFrom, type SigningKey } from './signing.ts';
import type { KeyObject } from 'node:crypto';
import { keyring, type Keyring } from '../../shared/keyring/index.ts';

/** Everything the opinions function can be tuned with; tests replace the clock, the dice and identity's address. */
export interface OpinionsOptions {
  /** Authors below this grade always go to peer review (default G3). */
  reviewBelowGrade?: Grade;
  /** Share of other opinions sent to peer review at random (default REVIEW_SAMPLE_RATE, 0.1). */
  reviewSampleRate?: number;
  /** A number in [0, 1); the quality sample is `random() < reviewSampleRate`. */
  random?: () => number;
  /** How long after signing the patient may ask follow-up questions (default 14 days). */
  followUpWindowMs?: number;
  now?: () => Date;
  /** Where links in reports and share URLs point (default PUBLIC_URL, else http://localhost:8080). */
  publicUrl?: string;
  /** Where identity answers step-up and /v1/me (default: the platform's function URL for identity). */
  identityUrl?: string;
  /** Signs opinions (default OPINIONS_SIGNING_KEY, else the development key outside production). */
  signingKey?: SigningKey;
  /** Earlier public keys that still verify old signatures, by kid. */
  retiredKeys?: Record<string, KeyObject>;
  /** Longest a share link may live, in hours (default 30 days). */
  maxShareHours?: number;
  /** Patients' data keys, which seal opinion text at rest (default: the shared keyring). */
  keyring?: Keyring;
}

/** {@link OpinionsOptions} with every default filled in. */
export type OpinionsSettings = Required<Omit<OpinionsOptions, 'identityUrl'>> & { identityUrl: string | undefined };

/** Follow-up questions per case: the contract's limit, also held by a CHECK in the schema (`seq between 1 and 3`). */
export const MAX_FOLLOW_UPS = 3;

/** How long the patient may ask follow-ups after signing, unless configured: 14 days. */
export const DEFAULT_FOLLOW_UP_WINDOW_MS = 14 * 24 * 3600 * 1000;

/**
 * Fills in the defaults from the platform configuration. The signing key is read from `OPINIONS_SIGNING_KEY`
 * (a private Ed25519 JWK); production refuses to start without it.
 *
 * @example
 * const settings = opinionsSettings({ now: () => clock, random: () => 0.99 });
 */
export function opinionsSettings(options: OpinionsOptions = {}): OpinionsSettings {
  const cfg = config();
  return {
    reviewBelowGrade: options.reviewBelowGrade ?? 'G3',
    reviewSampleRate: options.reviewSampleRate ?? cfg.reviewSampleRate,
    random: options.random ?? Math.random,
    followUpWindowMs: options.followUpWindowMs ?? DEFAULT_FOLLOW_UP_WINDOW_MS,
    now: options.now ?? (() => new Date()),
    publicUrl: (options.publicUrl ?? cfg.publicUrl ?? `http://localhost:${cfg.port || 8080}`).replace(/\/+$/, ''),
    identityUrl: options.identityUrl,
    signingKey: options.signingKey ?? signingKeyFrom(cfg.opinionsSigningKey, { production: cfg.production }),
    retiredKeys: options.retiredKeys ?? {},
    maxShareHours: options.maxShareHours ?? 24 * 30,
    keyring: options.keyring ?? keyring(),
  };
}
