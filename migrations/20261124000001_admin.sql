-- Admin pages: WeCom user ids, ending a user's sessions, searching the audit trail.

ALTER TABLE users
    -- The account's user id in WeCom (企业微信), for pushes and WeCom sign-in.
    ADD COLUMN wecom_user_id      TEXT CHECK (wecom_user_id ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    -- A session remembers the generation it signed in under; disabling the account or resetting
    -- its password moves this on, which ends every session at once.
    ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;
-- WeCom compares user ids without case, and so do we.
CREATE UNIQUE INDEX users_wecom_user_id_key ON users (lower(wecom_user_id)) WHERE wecom_user_id IS NOT NULL;

-- The admin's search of the audit trail: by action, newest first (by incident and by actor use
-- the indexes the desk made).
CREATE INDEX audit_log_action ON audit_log (action, id DESC);

-- Chinese names sort by pinyin (陈 李 孙 王 吴 赵), as people expect; byte order would not.
CREATE COLLATION IF NOT EXISTS zh_pinyin (provider = icu, locale = 'zh-u-co-pinyin');
