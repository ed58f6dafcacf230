import { trace } from '@opentelemetry/api';

type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let threshold = order[(process.env.LOG_LEVEL as Level | 'silent' | undefined) ?? 'info'] ?? order.info;

/**
 * Fields a log line may carry. Ids, types, counts and durations only: never names, e-mails, free text or anything
 * else from a patient's record (PHI must not reach logs).
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

function write(level: Level, msg: string, fields: LogFields = {}): void {
  if (order[level] < threshold) return;
  const span = trace.getActiveSpan()?.spanContext();
  const line = {
    time: new Date().toISOString(),
    level,
    msg,
    ...(span && span.traceId !== '00000000000000000000000000000000' ? { traceId: span.traceId, spanId: span.spanId } : {}),
    ...fields,
  };
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${JSON.stringify(line)}\n`);
}

/**
 * JSON-lines logger that stamps the active trace id on every line.
 *
 * @example
 * log.info('event delivered', { type: event.type, consumer, attempts });
 */
export const log = {
  debug: (msg: string, fields?: LogFields) => write('debug', msg, fields),
  info: (msg: string, fields?: LogFields) => write('info', msg, fields),
  warn: (msg: string, fields?: LogFields) => write('warn', msg, fields),
  error: (msg: string, fields?: LogFields) => write('error', msg, fields),
  setLevel(level: Level | 'silent') {
    threshold = order[level];
  },
};
