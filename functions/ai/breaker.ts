/** A breaker's state: closed (calls pass), open (calls refused until the cooldown ends), half-open (one trial call). */
export type BreakerState = 'closed' | 'open' | 'half-open';

interface Circuit {
  state: BreakerState;
  failures: number;
  openedAt: number;
  trialInFlight: boolean;
}

/**
 * Circuit breakers, one per provider name, in this process's memory (a cache that may vanish: a restarted process
 * simply tries the provider again). Closed → open after `failureThreshold` consecutive failures; open → half-open
 * once `cooldownMs` has passed, letting one trial call through; its success closes the circuit, its failure opens
 * it again for another cooldown.
 *
 * @example
 * const breakers = new CircuitBreakers({ failureThreshold: 3, cooldownMs: 60_000 });
 * if (breakers.allows('openai')) {
 *   try { await call(); breakers.succeeded('openai'); } catch { breakers.failed('openai'); }
 * }
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();
  private readonly now: () => number;

  constructor(private readonly options: { failureThreshold: number; cooldownMs: number; now?: () => Date }) {
    this.now = () => (options.now ? options.now().getTime() : Date.now());
  }

  private circuit(name: string): Circuit {
    let c = this.circuits.get(name);
    if (!c) this.circuits.set(name, (c = { state: 'closed', failures: 0, openedAt: 0, trialInFlight: false }));
    if (c.state === 'open' && this.now() - c.openedAt >= this.options.cooldownMs) {
      c.state = 'half-open';
      c.trialInFlight = false;
    }
    return c;
  }

  /** The state now (an open circuit whose cooldown has passed reads half-open). */
  state(name: string): BreakerState {
    return this.circuit(name).state;
  }

  /** Whether a call may go out now; in half-open, only the first caller gets the trial. Does not reserve in closed. */
  allows(name: string): boolean {
    const c = this.circuit(name);
    if (c.state === 'closed') return true;
    if (c.state === 'open') return false;
    if (c.trialInFlight) return false;
    c.trialInFlight = true;
    return true;
  }

  /** Whether a call could go out now, without taking the half-open trial (for routing decisions). */
  healthy(name: string): boolean {
    const c = this.circuit(name);
    return c.state === 'closed' || (c.state === 'half-open' && !c.trialInFlight);
  }

  succeeded(name: string): void {
    const c = this.circuit(name);
    c.state = 'closed';
    c.failures = 0;
    c.trialInFlight = false;
  }

  failed(name: string): void {
    const c = this.circuit(name);
    c.failures++;
    if (c.state === 'half-open' || c.failures >= this.options.failureThreshold) {
      c.state = 'open';
      c.openedAt = this.now();
      c.trialInFlight = false;
    }
  }
}
