-- A follow-up message is added once per key (made when its form was opened): a double tap or a
-- re-post finds the message already there.
ALTER TABLE incident_events ADD COLUMN idempotency_key UUID;
CREATE UNIQUE INDEX incident_events_once ON incident_events (incident_id, actor_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
