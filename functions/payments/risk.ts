/**
 * Fraud rules, pure: the gateway's own risk verdict and where the card and the caller are from, against the
 * patient's country. High risk holds the payment for ops instead of starting the case.
 */

/** What a gateway told us about a successful payment (all optional: not every gateway says everything). */
export interface RiskFacts {
  /** The gateway's verdict, normalised: Stripe Radar's risk_level, Adyen's fraud result mapped onto the same words. */
  gatewayRisk?: 'normal' | 'elevated' | 'highest' | 'not_assessed' | 'unknown';
  cardCountry?: string | null;
  ipCountry?: string | null;
  patientCountry?: string | null;
}

export interface RiskVerdict {
  hold: boolean;
  reasons: string[];
}

/**
 * Whether to hold a payment, and why. Hold when the gateway says highest; or when it says elevated and the card or
 * the caller's country differs from the patient's; or when both card and caller are from another country.
 *
 * @example
 * assessRisk({ gatewayRisk: 'highest' }); // { hold: true, reasons: ['gateway-risk-highest'] }
 * assessRisk({ cardCountry: 'DE', patientCountry: 'DE' }); // { hold: false, reasons: [] }
 */
export function assessRisk(facts: RiskFacts): RiskVerdict {
  const reasons: string[] = [];
  const differs = (country: string | null | undefined) =>
    Boolean(country && facts.patientCountry && country.toUpperCase() !== facts.patientCountry.toUpperCase());
  const cardMismatch = differs(facts.cardCountry);
  const ipMismatch = differs(facts.ipCountry);
  if (cardMismatch) reasons.push('card-country-mismatch');
  if (ipMismatch) reasons.push('ip-country-mismatch');
  if (facts.gatewayRisk === 'highest') reasons.push('gateway-risk-highest');
  if (facts.gatewayRisk === 'elevated') reasons.push('gateway-risk-elevated');
  const hold =
    facts.gatewayRisk === 'highest' ||
    (facts.gatewayRisk === 'elevated' && (cardMismatch || ipMismatch)) ||
    (cardMismatch && ipMismatch);
  return { hold, reasons };
}
