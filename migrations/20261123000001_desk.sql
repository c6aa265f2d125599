-- The desk: group members, transfer groups, categories, priorities, service levels, canned
-- replies, the workflow's columns on incidents, internal timeline entries and the audit trail.

-- Testers, developers, operations and product people: they work what is transferred to their
-- groups, and nothing else.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('reporter', 'member', 'handler', 'admin'));

CREATE TABLE groups (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO groups (code, name_zh, name_en, position) VALUES
    ('testing', '测试', 'Testing', 10),
    ('development', '研发', 'Development', 20),
    ('operations', '运维', 'Operations', 30),
    ('product', '产品运营', 'Product', 40);

CREATE TABLE group_members (
    group_id   BIGINT NOT NULL REFERENCES groups (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- Categories (parent_id NULL: 数据类 data, 程序类 program, 咨询类 consultation) and their
-- sub-categories (admin-managed).
CREATE TABLE categories (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    parent_id  BIGINT REFERENCES categories (id),
    name_zh    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The three top-level codes are the domain's `Category`; they never change.
    CHECK ((parent_id IS NULL) = (code IN ('data', 'program', 'consultation')))
);
INSERT INTO categories (code, name_zh, name_en, position) VALUES
    ('data', '数据类', 'Data', 10),
    ('program', '程序类', 'Program', 20),
    ('consultation', '咨询类', 'Consultation', 30);
INSERT INTO categories (code, parent_id, name_zh, name_en, position)
SELECT v.code, p.id, v.name_zh, v.name_en, v.position
FROM (VALUES
    ('data_wrong', 'data', '数据错误', 'Wrong data', 10),
    ('data_missing', 'data', '数据缺失', 'Missing data', 20),
    ('data_sync', 'data', '数据同步', 'Data not synchronised', 30),
    ('program_defect', 'program', '功能缺陷', 'Defect', 10),
    ('program_performance', 'program', '性能问题', 'Slow or unavailable', 20),
    ('program_compatibility', 'program', '兼容性', 'Device or browser', 30),
    ('consultation_rules', 'consultation', '业务规则', 'Business rules', 10),
    ('consultation_howto', 'consultation', '操作指引', 'How to', 20),
    ('consultation_account', 'consultation', '账户状态', 'Account status', 30)
) AS v (code, parent, name_zh, name_en, position)
JOIN categories p ON p.code = v.parent;

-- Service-level targets per priority, in calendar minutes (admin-set).
CREATE TABLE sla_targets (
    priority               TEXT PRIMARY KEY CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes     INTEGER NOT NULL CHECK (resolution_minutes > 0),
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO sla_targets (priority, first_response_minutes, resolution_minutes) VALUES
    ('P1', 30, 240), ('P2', 120, 1440), ('P3', 240, 4320), ('P4', 1440, 7200);

-- Replies the team sends again and again; {customer_name} and {number} are filled in.
CREATE TABLE canned_replies (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO canned_replies (title, body, position) VALUES
    ('已收到，处理中', '您好，事件 {number} 已收到，我们正在处理，有进展会第一时间告知。', 10),
    ('请补充截图', '您好，为便于排查 {number}，请补充客户{customer_name}操作时的完整截图（含报错信息和时间）。', 20),
    ('已修复请重试', '您好，{number} 反映的问题已修复，请让客户{customer_name}退出 App 后重新登录再试。', 30);

ALTER TABLE incidents
    ADD COLUMN priority           TEXT NOT NULL DEFAULT 'P3' CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    ADD COLUMN category_id        BIGINT REFERENCES categories (id),
    ADD COLUMN subcategory_id     BIGINT REFERENCES categories (id),
    ADD COLUMN tags               TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN assignee_id        BIGINT REFERENCES users (id),
    -- The group it is transferred to (while transferred; kept afterwards as the last one).
    ADD COLUMN group_id           BIGINT REFERENCES groups (id),
    ADD COLUMN first_response_due TIMESTAMPTZ,
    ADD COLUMN resolution_due     TIMESTAMPTZ,
    ADD COLUMN first_responded_at TIMESTAMPTZ,
    ADD COLUMN answered_at        TIMESTAMPTZ,
    ADD COLUMN resolved_on_time   BOOLEAN,
    ADD COLUMN closed_at          TIMESTAMPTZ,
    -- The next due time while open (first response, then resolution); NULL once answered.
    ADD COLUMN sla_due_at         TIMESTAMPTZ,
    ADD COLUMN merged_into_id     BIGINT REFERENCES incidents (id),
    ADD COLUMN rating             SMALLINT CHECK (rating BETWEEN 1 AND 5),
    ADD COLUMN rating_comment     TEXT,
    ADD CONSTRAINT incidents_merged_into CHECK ((status = 'merged') = (merged_into_id IS NOT NULL)),
    ADD CONSTRAINT incidents_not_into_itself CHECK (merged_into_id <> id);
UPDATE incidents i
SET priority = CASE i.urgency WHEN 'urgent' THEN 'P2' ELSE 'P3' END,
    first_response_due = i.created_at + make_interval(mins => t.first_response_minutes),
    resolution_due = i.created_at + make_interval(mins => t.resolution_minutes)
FROM sla_targets t
WHERE t.priority = CASE i.urgency WHEN 'urgent' THEN 'P2' ELSE 'P3' END;
UPDATE incidents SET sla_due_at = first_response_due WHERE status IN ('new', 'in_progress', 'transferred');
ALTER TABLE incidents ALTER COLUMN first_response_due SET NOT NULL, ALTER COLUMN resolution_due SET NOT NULL;
CREATE INDEX incidents_assignee ON incidents (assignee_id, status) WHERE assignee_id IS NOT NULL;
CREATE INDEX incidents_group ON incidents (group_id, status) WHERE group_id IS NOT NULL;

-- Internal entries (notes, transfers, returns) are never shown to the reporter; `detail` holds
-- what an entry changed (the group, the assignee, the category, an applied script).
ALTER TABLE incident_events
    ADD COLUMN internal BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN detail   JSONB;

-- Every change to an incident and every reveal of a masked number, append-only: nothing in the
-- app updates or deletes a row, and the database refuses it if anything tries.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT REFERENCES incidents (id),
    -- NULL: the system itself (closing an answered incident nobody objected to).
    actor_id    BIGINT REFERENCES users (id),
    action      TEXT NOT NULL,
    detail      JSONB NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_incident ON audit_log (incident_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_newest ON audit_log (created_at DESC, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The system acts too (closing an answered incident nobody objected to): no person behind it.
ALTER TABLE incident_events ALTER COLUMN actor_id DROP NOT NULL;

-- Who may see an incident: the desk sees every one, a reporter their own, a group member the
-- ones waiting on one of their groups and the ones they worked on. One definition for every
-- query.
CREATE FUNCTION incident_visible(incident_id BIGINT, reporter_id BIGINT, status TEXT, group_id BIGINT, viewer BIGINT, desk BOOLEAN)
RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT desk OR reporter_id = viewer
        OR (status = 'transferred'
            AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = viewer AND gm.group_id = incident_visible.group_id))
        OR EXISTS (SELECT 1 FROM incident_events e
                   WHERE e.incident_id = incident_visible.incident_id AND e.actor_id = viewer AND e.kind IN ('returned', 'note'))
$$;
