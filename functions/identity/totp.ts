import { Secret, TOTP } from 'otpauth';

/** TOTP as authenticator apps expect it (RFC 6238): SHA-1, 6 digits, 30-second steps. */
const PERIOD = 30;

/**
 * A new random TOTP secret (160 bits), base32 as authenticator apps take it.
 *
 * @example
 * const secret = newTotpSecret();
 */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The `otpauth://` URI to show as a QR code.
 *
 * @example
 * totpUri(secret, 'ada@example.org'); // 'otpauth://totp/Consilium:ada%40example.org?…'
 */
export function totpUri(secret: string, label: string): string {
  return totp(secret, label).toString();
}

/**
 * The time step a code belongs to when it is valid now (one step of clock drift either way), else `undefined`.
 * The step is what makes a code single-use: the caller records it and refuses any step not after it.
 *
 * @example
 * const step = totpStep(secret, '123456');
 */
export function totpStep(secret: string, code: string, now = Date.now()): number | undefined {
  const delta = totp(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD) + delta;
}

/**
 * The code for `secret` at `timestamp` (tests, and a client's own check).
 *
 * @example
 * totpCode(secret); // '492039'
 */
export function totpCode(secret: string, timestamp = Date.now()): string {
  return totp(secret).generate({ timestamp });
}

function totp(secret: string, label = 'account'): TOTP {
  return new TOTP({ issuer: 'Consilium', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}
