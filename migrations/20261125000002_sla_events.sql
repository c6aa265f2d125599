-- Service-level warnings as timeline entries (and so as live updates and pushes): once per due
-- time, when it comes close (the last quarter of its target) and when it passes. A new due time
-- (priority changed, first response given, reopened) can warn again.
ALTER TABLE incidents
    ADD COLUMN sla_warned_due   TIMESTAMPTZ,
    ADD COLUMN sla_breached_due TIMESTAMPTZ;
-- What the sweep looks for, without reading every incident with a due time each minute.
CREATE INDEX incidents_sla_unwarned ON incidents (sla_due_at)
    WHERE sla_due_at IS NOT NULL AND sla_warned_due IS DISTINCT FROM sla_due_at;
CREATE INDEX incidents_sla_unbreached ON incidents (sla_due_at)
    WHERE sla_due_at IS NOT NULL AND sla_breached_due IS DISTINCT FROM sla_due_at;
-- Incidents already late before this existed are old news: no warning for them.
UPDATE incidents SET sla_breached_due = sla_due_at, sla_warned_due = sla_due_at WHERE sla_due_at <= now();
