-- The complete report: affected systems (admin-managed), the customer's documents, urgency,
-- screenshots; follow-up messages on the timeline; a version for optimistic updates.

CREATE TABLE systems (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO systems (code, name_zh, name_en, position) VALUES
    ('account_opening', '开户', 'Account opening', 10),
    ('account', '账户系统', 'Accounts', 20),
    ('trading', '交易系统', 'Trading', 30),
    ('custody', '三方存管', 'Third-party custody', 40),
    ('wealth', '理财', 'Wealth management', 50),
    ('app', 'App', 'App', 60);

ALTER TABLE incidents
    ADD COLUMN system_id   BIGINT REFERENCES systems (id),
    ADD COLUMN channel     TEXT NOT NULL DEFAULT 'app'
               CHECK (channel IN ('app', 'web', 'branch', 'mini_program', 'call_center', 'other')),
    ADD COLUMN occurred_at TIMESTAMPTZ,
    ADD COLUMN urgency     TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'urgent')),
    ADD COLUMN id_type     TEXT CHECK (id_type IN ('resident_id', 'hk_macau_permit', 'taiwan_permit', 'passport')),
    ADD COLUMN id_number   TEXT,
    ADD COLUMN phone       TEXT,
    ADD COLUMN version     INTEGER NOT NULL DEFAULT 1,
    ALTER COLUMN customer_name DROP NOT NULL,
    ALTER COLUMN customer_number DROP NOT NULL,
    ADD CONSTRAINT incidents_id_pair CHECK ((id_type IS NULL) = (id_number IS NULL));
-- Reports made before systems existed: "App", the most common.
UPDATE incidents SET system_id = (SELECT id FROM systems WHERE code = 'app'), occurred_at = created_at;
ALTER TABLE incidents ALTER COLUMN system_id SET NOT NULL, ALTER COLUMN occurred_at SET NOT NULL;
-- "My incidents" filtered by status, newest first.
CREATE INDEX incidents_reporter_status_newest ON incidents (reporter_id, status, created_at DESC, id DESC);

-- Timeline entries may carry text: a follow-up message, or why a solution did not help.
ALTER TABLE incident_events ADD COLUMN body TEXT;

-- Screenshots. A row is made once its blobs (the image and its thumbnail, content-addressed by
-- SHA-256) are safely stored, before the report that uses it commits; the report then claims
-- it. Rows never claimed (a refused or abandoned report) are deleted after a day, and blobs no
-- row references are swept.
CREATE TABLE screenshots (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploader_id BIGINT NOT NULL REFERENCES users (id),
    incident_id BIGINT REFERENCES incidents (id),
    event_id    BIGINT REFERENCES incident_events (id),
    position    SMALLINT NOT NULL DEFAULT 0,
    blob_key    TEXT NOT NULL,
    thumb_key   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    thumb_media_type TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX screenshots_incident ON screenshots (incident_id, event_id, position, id);
CREATE INDEX screenshots_unclaimed ON screenshots (created_at) WHERE incident_id IS NULL;
CREATE INDEX screenshots_blob ON screenshots (blob_key);
CREATE INDEX screenshots_thumb ON screenshots (thumb_key);
