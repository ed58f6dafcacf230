import type { GatewayName, PaymentSettings } from '../settings.ts';
import { adyenGateway } from './adyen.ts';
import { sandboxGateway } from './sandbox.ts';
import { stripeGateway } from './stripe.ts';
import type { Gateway } from './types.ts';

/**
 * The adapter for a gateway by name, built from the settings; a gateway that is not configured (or the sandbox
 * when it is off) is refused.
 *
 * @example
 * const gateways = gatewayRegistry(settings);
 * await gateways('sandbox').createPayment(request);
 */
export function gatewayRegistry(settings: PaymentSettings): (name: GatewayName) => Gateway {
  const built = new Map<GatewayName, Gateway>();
  return (name) => {
    let gateway = built.get(name);
    if (!gateway) {
      if (name === 'sandbox') {
        if (!settings.sandbox) throw new Error('the sandbox gateway is off');
        gateway = sandboxGateway();
      } else if (name === 'stripe') {
        if (!settings.stripe) throw new Error('stripe is not configured (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET)');
        gateway = stripeGateway(settings.stripe);
      } else {
        if (!settings.adyen) throw new Error('adyen is not configured (ADYEN_HMAC_KEY)');
        gateway = adyenGateway(settings.adyen);
      }
      built.set(name, gateway);
    }
    return gateway;
  };
}
