-- Appends one event (a CloudEvent envelope made and validated by shared/bus/emit.ts outboxEnvelope) to the outbox,
-- for the database functions of a hot path, which make their change and announce it in one call.
create function bus.append(event jsonb) returns void language plpgsql as $$
begin
  insert into bus.outbox (id, source, type, subject, time, data, traceparent)
  values ((event->>'id')::uuid, event->>'source', event->>'type', event->>'subject', (event->>'time')::timestamptz,
          event->'data', event->>'traceparent');
end
$$;
