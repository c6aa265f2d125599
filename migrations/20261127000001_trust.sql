-- Trust: a repeated idempotency key answers only for the same request; visibility follows the
-- viewer's current role; transfer groups belong to members only.

-- What a report request carried (its fields as typed, but the key, and its photos' bytes), as
-- SHA-256: the same key with another fingerprint is another report (409), never the earlier
-- incident. Rows from before have none and keep the old behaviour.
ALTER TABLE incidents ADD COLUMN request_fingerprint BYTEA;

-- Who may see an incident, decided in one place from the viewer's role as it is now (read from
-- `users`, never from what a session or stream remembered): the desk (handlers, admins) every
-- one; anyone the incidents they reported; a *member* also the ones waiting on one of their
-- groups and the ones they worked on (notes, hand-backs). A reporter who somehow sits in a
-- group, or a member or handler demoted to reporter, sees their own reports and nothing else.
DROP FUNCTION incident_visible(BIGINT, BIGINT, TEXT, BIGINT, BIGINT, BOOLEAN);
CREATE FUNCTION incident_visible(incident_id BIGINT, reporter_id BIGINT, status TEXT, group_id BIGINT, viewer BIGINT)
RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT reporter_id = viewer
        OR EXISTS (SELECT 1 FROM users v WHERE v.id = viewer AND v.disabled_at IS NULL AND (
               v.role IN ('handler', 'admin')
            OR (v.role = 'member' AND (
                   (status = 'transferred'
                    AND EXISTS (SELECT 1 FROM group_members gm WHERE gm.user_id = viewer AND gm.group_id = incident_visible.group_id))
                OR EXISTS (SELECT 1 FROM incident_events e
                           WHERE e.incident_id = incident_visible.incident_id AND e.actor_id = viewer AND e.kind IN ('returned', 'note'))))))
$$;

-- Transfer groups are for members: whoever is not one leaves them, now and whenever a role
-- changes away from member, and nobody else can be put in one.
DELETE FROM group_members gm USING users u WHERE u.id = gm.user_id AND u.role <> 'member';

CREATE FUNCTION group_members_only_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND role = 'member') THEN
        RAISE EXCEPTION 'only members belong to transfer groups' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'group_members_member_role';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER group_members_member_role BEFORE INSERT OR UPDATE ON group_members
    FOR EACH ROW EXECUTE FUNCTION group_members_only_members();

CREATE FUNCTION users_leave_groups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM group_members WHERE user_id = NEW.id;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_leave_groups AFTER UPDATE OF role ON users
    FOR EACH ROW WHEN (OLD.role = 'member' AND NEW.role <> 'member') EXECUTE FUNCTION users_leave_groups();

-- API tokens may expire (`mss token create --expires-days N`); admins see when each was last
-- used and revoke it on the account's page.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;

-- Lockout that an attacker cannot turn on the team. Failures per address count only logins that
-- do not exist (guessing passwords of real accounts is what the per-login count is for), so one
-- office behind one address is not locked out by someone trying names.
ALTER TABLE sign_in_failures ADD COLUMN known_login BOOLEAN NOT NULL DEFAULT true;
-- Browsers an account has signed in from (the `mss_device` cookie, stored as SHA-256): the right
-- password from one of them goes through while the login is locked for everyone else.
CREATE TABLE known_devices (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_hash  BYTEA NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (user_id, device_hash)
);
