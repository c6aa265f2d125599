-- The knowledge base: articles and their immutable revisions, the incidents they came from or
-- solved, what readers did with them (views, votes), the week's hot questions, the search's
-- own words, and the claims of jobs that run once across every instance.

CREATE SEQUENCE kb_changes;

CREATE TABLE kb_articles (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title          TEXT NOT NULL,
    system_id      BIGINT NOT NULL REFERENCES systems (id),
    category_id    BIGINT REFERENCES categories (id),
    subcategory_id BIGINT REFERENCES categories (id),
    tags           TEXT[] NOT NULL DEFAULT '{}',
    body           TEXT NOT NULL,
    -- The body rendered when it was saved: sanitized HTML, flow charts drawn as SVG.
    html           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
    author_id      BIGINT NOT NULL REFERENCES users (id),
    -- The number of its latest revision: a save names the version it started from.
    version        INTEGER NOT NULL DEFAULT 1,
    published_at   TIMESTAMPTZ,
    -- Deleted articles keep their revisions (nothing is lost); they leave every list.
    deleted_at     TIMESTAMPTZ,
    -- Drawn at every change, in commit order: each instance's search index follows it.
    change_seq     BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX kb_articles_changes ON kb_articles (change_seq);
-- The help center's lists: published articles of a system (and category), newest first.
CREATE INDEX kb_articles_listed ON kb_articles (system_id, category_id, updated_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;
CREATE INDEX kb_articles_recent ON kb_articles (updated_at DESC, id DESC) WHERE deleted_at IS NULL;

-- Like the timeline's ids, change numbers follow commit order: a writer takes a transaction
-- lock before drawing one, so "every change after N" never misses one that committed late.
CREATE FUNCTION kb_articles_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(5350002);
    NEW.change_seq := nextval('kb_changes');
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER kb_articles_change BEFORE INSERT OR UPDATE ON kb_articles
    FOR EACH ROW EXECUTE FUNCTION kb_articles_changed();

CREATE FUNCTION kb_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mss_kb', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER kb_articles_notify AFTER INSERT OR UPDATE ON kb_articles
    FOR EACH ROW EXECUTE FUNCTION kb_notify();

-- Every save, as it was saved. Never updated or deleted (the database refuses it).
CREATE TABLE kb_revisions (
    article_id     BIGINT NOT NULL REFERENCES kb_articles (id),
    number         INTEGER NOT NULL CHECK (number > 0),
    title          TEXT NOT NULL,
    system_id      BIGINT NOT NULL REFERENCES systems (id),
    category_id    BIGINT REFERENCES categories (id),
    subcategory_id BIGINT REFERENCES categories (id),
    tags           TEXT[] NOT NULL,
    body           TEXT NOT NULL,
    editor_id      BIGINT NOT NULL REFERENCES users (id),
    -- A rollback: the revision whose content this one restored.
    restored_from  INTEGER,
    -- A draft made from an incident: what was taken out of it (kind and masked value).
    redactions     JSONB NOT NULL DEFAULT '[]',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, number)
);
CREATE FUNCTION kb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER kb_revisions_no_update BEFORE UPDATE OR DELETE ON kb_revisions
    FOR EACH ROW EXECUTE FUNCTION kb_append_only();
CREATE TRIGGER kb_revisions_no_truncate BEFORE TRUNCATE ON kb_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION kb_append_only();

-- The incidents an article came from (`source`: written from it) or solved (`solved`: sent as
-- an answer to it).
CREATE TABLE kb_article_incidents (
    article_id  BIGINT NOT NULL REFERENCES kb_articles (id),
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    relation    TEXT NOT NULL CHECK (relation IN ('source', 'solved')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, incident_id)
);
CREATE INDEX kb_article_incidents_incident ON kb_article_incidents (incident_id);
CREATE INDEX kb_article_incidents_recent ON kb_article_incidents (created_at);

-- Reads of an article, counted per day (one row a day, not one a read).
CREATE TABLE kb_views (
    article_id BIGINT NOT NULL REFERENCES kb_articles (id),
    day        DATE NOT NULL,
    views      INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, day)
);
CREATE INDEX kb_views_day ON kb_views (day);

-- "这篇解答有帮助吗？": one vote per reader and article (a second vote replaces the first).
CREATE TABLE kb_feedback (
    article_id BIGINT NOT NULL REFERENCES kb_articles (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    helpful    BOOLEAN NOT NULL,
    reason     TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, user_id)
);
CREATE INDEX kb_feedback_recent ON kb_feedback (updated_at);

-- The hot questions of a business week (its Monday, China time), as the weekly job ranked them.
CREATE TABLE kb_hot (
    week       DATE NOT NULL,
    article_id BIGINT NOT NULL REFERENCES kb_articles (id),
    rank       INTEGER NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    -- The week's own counts, for the team's page.
    views      INTEGER NOT NULL,
    helpful    INTEGER NOT NULL,
    incidents  INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (week, article_id)
);
CREATE UNIQUE INDEX kb_hot_rank ON kb_hot (week, rank);

-- The search's words that admins add to the built-in ones: terms the segmenter keeps whole,
-- and synonym groups. A change tells every instance to rebuild its index.
CREATE TABLE kb_terms (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    term       TEXT NOT NULL UNIQUE,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE kb_synonyms (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The canonical word first.
    words      TEXT[] NOT NULL CHECK (cardinality(words) >= 2),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One row: bumped by every change of the words, so an instance that missed a notification
-- still sees that its index is out of date.
CREATE TABLE kb_vocabulary_version (
    only_row   BOOLEAN PRIMARY KEY DEFAULT true CHECK (only_row),
    version    BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO kb_vocabulary_version DEFAULT VALUES;
CREATE FUNCTION kb_vocabulary_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE kb_vocabulary_version SET version = version + 1, updated_at = now();
    PERFORM pg_notify('mss_kb', TG_TABLE_NAME);
    RETURN NULL;
END
$$;
CREATE TRIGGER kb_terms_changed AFTER INSERT OR UPDATE OR DELETE ON kb_terms
    FOR EACH STATEMENT EXECUTE FUNCTION kb_vocabulary_changed();
CREATE TRIGGER kb_synonyms_changed AFTER INSERT OR UPDATE OR DELETE ON kb_synonyms
    FOR EACH STATEMENT EXECUTE FUNCTION kb_vocabulary_changed();

-- Jobs that run once per period across all instances (the weekly hot questions, the weekly
-- report): the instance whose insert succeeds runs it; the others see the row and skip.
CREATE TABLE job_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job         TEXT NOT NULL,
    -- The period's key: `2026-11-23` for the week starting that Monday.
    period      TEXT NOT NULL,
    -- Who ran it: `scheduler` or an admin's recompute (`admin:<id>`).
    claimed_by  TEXT NOT NULL,
    finished_at TIMESTAMPTZ,
    error       TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The scheduler's claim: one per job and period.
CREATE UNIQUE INDEX job_runs_once ON job_runs (job, period) WHERE claimed_by = 'scheduler';

-- What was done to an article (published, archived, rolled back, deleted) is in the audit trail.
ALTER TABLE audit_log ADD COLUMN article_id BIGINT REFERENCES kb_articles (id);
CREATE INDEX audit_log_article ON audit_log (article_id, id) WHERE article_id IS NOT NULL;
