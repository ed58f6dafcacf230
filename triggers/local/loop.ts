import { log } from '../../shared/telemetry/index.ts';

/** A background pass repeated until stopped; see {@link loop}. */
export interface Loop {
  wake(): void;
  stop(): Promise<void>;
}

/**
 * Repeats `pass` forever: again at once while it reports work done (a positive count), otherwise after `idleMs`
 * or when woken. A failing pass is logged and retried after the pause; it never kills the process.
 *
 * @example
 * const relay = loop('relay', () => relayOnce(sql, publisher), 500);
 * onRelayWake(() => relay.wake());
 */
export function loop(name: string, pass: () => Promise<number>, idleMs: number): Loop {
  let stopped = false;
  // A wake that arrives while a pass runs must not be lost: that pass may have looked before the new work committed.
  let woken = false;
  let wakeUp: (() => void) | undefined;
  const done = (async () => {
    while (!stopped) {
      woken = false;
      let worked = 0;
      try {
        worked = await pass();
      } catch (error) {
        log.error('background pass failed', { loop: name, error: (error as Error).message });
      }
      if (worked > 0 || woken || stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  })();
  return {
    wake() {
      woken = true;
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await done;
    },
  };
}
