-- Live updates and WeCom pushes. A timeline entry (incident_events) is the event others hear
-- of: it is written in the same transaction as the change it tells of, live pages learn of it
-- through NOTIFY, and the push worker turns it into deliveries.

-- Event ids follow commit order, so "everything after id N" never misses an entry that
-- committed late: each writer takes a transaction lock before drawing its id and holds it to
-- commit (the lock is short: the entry is among a change's last writes).
CREATE FUNCTION incident_events_in_commit_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(5350001);
    NEW.id := nextval(pg_get_serial_sequence('incident_events', 'id'));
    RETURN NEW;
END
$$;
CREATE TRIGGER incident_events_order BEFORE INSERT ON incident_events
    FOR EACH ROW EXECUTE FUNCTION incident_events_in_commit_order();

-- Delivered at commit, to every app instance listening.
CREATE FUNCTION incident_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mss_events', NEW.id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER incident_events_notify AFTER INSERT ON incident_events
    FOR EACH ROW EXECUTE FUNCTION incident_events_notify();

-- Set when the push worker has made the entry's deliveries. History before this migration is
-- not pushed.
ALTER TABLE incident_events ADD COLUMN dispatched_at TIMESTAMPTZ;
UPDATE incident_events SET dispatched_at = created_at;
CREATE INDEX incident_events_undispatched ON incident_events (id) WHERE dispatched_at IS NULL;

-- One message to WeCom: to the team's group robot, or an app message to one person.
CREATE TABLE deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stable: the event, the channel and the recipient. Making a delivery twice is a no-op.
    key             TEXT NOT NULL UNIQUE,
    event_id        BIGINT NOT NULL REFERENCES incident_events (id),
    incident_id     BIGINT NOT NULL REFERENCES incidents (id),
    channel         TEXT NOT NULL CHECK (channel IN ('robot', 'app')),
    recipient_id    BIGINT REFERENCES users (id),
    wecom_user_id   TEXT,
    -- What is sent (the JSON body, without any token).
    message         JSONB NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead', 'skipped')),
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A worker that took the delivery holds it until then; after a crash another takes it over.
    leased_until    TIMESTAMPTZ,
    attempted_at    TIMESTAMPTZ,
    last_error      TEXT,
    -- Still failing then: to the dead letters.
    give_up_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The worker: pending ones by due time; the oldest pending per incident and channel goes first.
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_incident_pending ON deliveries (incident_id, channel, id) WHERE state = 'pending';
-- The robot's pace, and each member's: attempts within the rate window.
CREATE INDEX deliveries_robot_attempts ON deliveries (attempted_at) WHERE channel = 'robot';
CREATE INDEX deliveries_member_attempts ON deliveries (wecom_user_id, attempted_at) WHERE channel = 'app';
-- The admin page: by state, newest first.
CREATE INDEX deliveries_state_newest ON deliveries (state, id DESC);
CREATE INDEX deliveries_newest ON deliveries (id DESC);

-- Who has read an incident's thread up to which entry: unread counts, and "read" under the
-- reporter's messages.
CREATE TABLE incident_reads (
    incident_id   BIGINT NOT NULL REFERENCES incidents (id),
    user_id       BIGINT NOT NULL REFERENCES users (id),
    last_event_id BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (incident_id, user_id)
);
CREATE INDEX incident_reads_user ON incident_reads (user_id);

-- Handlers on duty are @-mentioned in the robot's message for P1 and urgent incidents.
ALTER TABLE users ADD COLUMN on_duty BOOLEAN NOT NULL DEFAULT false;
