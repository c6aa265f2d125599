-- The reporters of incidents merged into another follow its answers (live and by WeCom): each
-- new answer looks up what was merged into its incident.
CREATE INDEX incidents_merged_into ON incidents (merged_into_id) WHERE merged_into_id IS NOT NULL;
