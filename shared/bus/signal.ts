import { EventEmitter } from 'node:events';

const signals = new EventEmitter();

/** Tells this process's relay that the outbox has a new row, so it need not wait for its next poll. */
export function wakeRelay(): void {
  signals.emit('outbox');
}

/** Calls `listener` whenever {@link wakeRelay} is called; returns the unsubscribe function. */
export function onRelayWake(listener: () => void): () => void {
  signals.on('outbox', listener);
  return () => signals.off('outbox', listener);
}
