-- A system's help-center list with no category chosen, newest change first.
CREATE INDEX kb_articles_listed_system ON kb_articles (system_id, updated_at DESC, id DESC)
    WHERE status = 'published' AND deleted_at IS NULL;
