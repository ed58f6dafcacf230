import type { RateRule } from '../../shared/auth/rate-limit.ts';
import { config } from '../../shared/config/index.ts';
import type { Kv } from '../../shared/kv/index.ts';

/** Which gateway takes a payment. */
export type GatewayName = 'stripe' | 'adyen' | 'sandbox';

/** How much of a paid case goes back when it is cancelled. */
export interface RefundPolicy {
  /** Share (basis points) refunded when the case is cancelled before anyone was assigned: the whole amount. */
  beforeAssignmentBp: number;
  /** Share refunded after a professional was assigned (work may have started). */
  afterAssignmentBp: number;
}

/** Settings of the payments function; every one has a default and tests inject their own. */
export interface PaymentSettings {
  /** Gateway per currency; currencies not listed use `defaultGateway`. */
  gatewayByCurrency: Partial<Record<string, GatewayName>>;
  /** Sandbox when `PAYMENTS_SANDBOX` is on (the default outside production), else Stripe. */
  defaultGateway: GatewayName;
  sandbox: boolean;
  stripe: {
    secretKey: string;
    webhookSecret: string;
    /** Where the Stripe SDK sends API calls (tests point it at a local server speaking Stripe's wire format). */
    api?: { host: string; port: number; protocol: 'http' | 'https' };
    toleranceSeconds: number;
  } | undefined;
  adyen: {
    hmacKey: string;
    apiKey?: string;
    merchantAccount?: string;
    /** Checkout API base, e.g. https://checkout-test.adyen.com/v71 (tests: a local server). */
    checkoutUrl?: string;
  } | undefined;
  /**
   * VAT rate in basis points by the patient's country (ISO 3166-1 alpha-2); `default` for others.
   * Prices are VAT-INCLUSIVE: the price a patient sees is the gross they pay, and the invoice splits it.
   */
  vatBp: Record<string, number>;
  refundPolicy: RefundPolicy;
  velocity: { perAccountPerHour: number; perIpPerHour: number };
  /** Refused webhooks (bad signature, stale, malformed) per source address before they get 429 and are not recorded. */
  webhookRejections: RateRule;
  /** Where rate limits count (default: the configured Redis, else memory); tests inject their own. */
  kv?: Kv;
  /** Request header carrying the caller's country as the edge (CDN) saw it, if any. */
  ipCountryHeader: string;
  now: () => Date;
}

export const DEFAULT_VAT_BP: Record<string, number> = {
  default: 0,
  AT: 2000, BE: 2100, DE: 1900, DK: 2500, ES: 2100, FI: 2550, FR: 2000, GB: 2000, IE: 2300, IT: 2200,
  NL: 2100, PL: 2300, PT: 2300, SE: 2500, CH: 810,
};

/**
 * The settings: defaults from `config()` (STRIPE_*, ADYEN_HMAC_KEY, PAYMENTS_SANDBOX) overridden by `overrides`.
 *
 * @example
 * const settings = paymentSettings({ gatewayByCurrency: { USD: 'stripe' } });
 */
export function paymentSettings(overrides: Partial<PaymentSettings> = {}): PaymentSettings {
  const cfg = config();
  const sandbox = overrides.sandbox ?? cfg.paymentsSandbox;
  return {
    gatewayByCurrency: {},
    defaultGateway: sandbox ? 'sandbox' : 'stripe',
    sandbox,
    stripe: cfg.stripe ? { ...cfg.stripe, toleranceSeconds: 300 } : undefined,
    adyen: cfg.adyen ? { hmacKey: cfg.adyen.hmacKey } : undefined,
    vatBp: DEFAULT_VAT_BP,
    refundPolicy: { beforeAssignmentBp: 10_000, afterAssignmentBp: 5_000 },
    velocity: { perAccountPerHour: 10, perIpPerHour: 30 },
    webhookRejections: { limit: 30, windowSeconds: 60 },
    ipCountryHeader: 'cf-ipcountry',
    now: () => new Date(),
    ...overrides,
  };
}

/**
 * The gateway that takes a payment in `currency`.
 *
 * @example
 * gatewayFor(settings, 'EUR'); // 'sandbox' outside production by default
 */
export function gatewayFor(settings: PaymentSettings, currency: string): GatewayName {
  const chosen = settings.gatewayByCurrency[currency] ?? settings.defaultGateway;
  return chosen;
}
