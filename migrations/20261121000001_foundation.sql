-- Accounts, API tokens, sign-in throttling, incidents and their timeline.

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('reporter', 'handler', 'admin')),
    password_hash TEXT NOT NULL,
    disabled_at   TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_login_key ON users (lower(login));

-- Bearer tokens for the REST API: only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    token_hash   BYTEA NOT NULL UNIQUE,
    label        TEXT NOT NULL DEFAULT '',
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed sign-ins, counted per login and per address over a sliding window. Kept in the database
-- so every instance sees the same counts.
CREATE TABLE sign_in_failures (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login      TEXT NOT NULL,
    address    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_login ON sign_in_failures (login, created_at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, created_at);

-- The per-day sequence behind incident numbers (MSS-20261121-0042).
CREATE TABLE incident_daily_counters (
    day        DATE PRIMARY KEY,
    last_seq   INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE incidents (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,
    reporter_id     BIGINT NOT NULL REFERENCES users (id),
    status          TEXT NOT NULL DEFAULT 'new'
                    CHECK (status IN ('new', 'in_progress', 'transferred', 'answered', 'closed', 'merged')),
    customer_name   TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- Made when the form was opened: a retried submission finds the incident it already made.
    idempotency_key UUID NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (reporter_id, idempotency_key)
);
-- "My incidents", newest first, keyset-paginated.
CREATE INDEX incidents_reporter_newest ON incidents (reporter_id, created_at DESC, id DESC);
-- The desk's queue by state, newest first, keyset-paginated.
CREATE INDEX incidents_status_newest ON incidents (status, created_at DESC, id DESC);

-- What happened to an incident, in order: shown as its timeline.
CREATE TABLE incident_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    kind        TEXT NOT NULL,
    actor_id    BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, created_at, id);
