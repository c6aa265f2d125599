-- The desk's queue at a million incidents: the open ones by age without sorting them all, and
-- search by customer number, customer name and words of the description.

-- Open incidents, newest first (the queue's default view; most incidents are closed).
CREATE INDEX incidents_open_newest ON incidents (created_at DESC, id DESC)
    WHERE status IN ('new', 'in_progress', 'transferred', 'answered');
-- Every incident, newest first (searches and "all" look at history too).
CREATE INDEX incidents_newest ON incidents (created_at DESC, id DESC);
-- Open incidents by priority, then age; and by their next due time.
CREATE INDEX incidents_open_priority ON incidents (priority, created_at, id)
    WHERE status IN ('new', 'in_progress', 'transferred', 'answered');
CREATE INDEX incidents_due ON incidents (sla_due_at, id) WHERE sla_due_at IS NOT NULL;
CREATE INDEX incidents_customer_number ON incidents (customer_number, created_at DESC);
CREATE INDEX incidents_customer_name ON incidents (customer_name, created_at DESC);
CREATE INDEX incidents_category_newest ON incidents (category_id, created_at DESC, id DESC);
CREATE INDEX incidents_system_newest ON incidents (system_id, created_at DESC, id DESC);
CREATE INDEX incidents_priority_newest ON incidents (priority, created_at DESC, id DESC);
-- By group and by assignee, newest first (these replace the desk migration's (…, status) ones).
DROP INDEX incidents_group;
DROP INDEX incidents_assignee;
CREATE INDEX incidents_group_newest ON incidents (group_id, created_at DESC, id DESC) WHERE group_id IS NOT NULL;
CREATE INDEX incidents_assignee_newest ON incidents (assignee_id, created_at DESC, id DESC) WHERE assignee_id IS NOT NULL;

-- Chinese has no spaces between words, so full-text parsers see one long token. Every pair of
-- neighbouring characters (lower-cased, spaces dropped) is indexed instead: a word of two or
-- more characters (支付, 开户失败) is found through the pairs it contains, then confirmed with
-- LIKE. Works the same whatever the database's locale.
CREATE FUNCTION text_bigrams(t TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT substr(lower(t), i, 2) AS g FROM generate_series(1, char_length(t) - 1) AS i) AS pairs
    WHERE g !~ '\s'
$$;
ALTER TABLE incidents ADD COLUMN description_grams TEXT[] GENERATED ALWAYS AS (text_bigrams(description)) STORED;
CREATE INDEX incidents_description_grams ON incidents USING gin (description_grams);
