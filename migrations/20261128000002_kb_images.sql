-- Images in knowledge-base articles go through the screenshot pipeline (stripped, resized,
-- stored privately); an article a saved body names claims them, so the hourly sweep of
-- unclaimed screenshots leaves them, and whoever may read the article may see them.
ALTER TABLE screenshots ADD COLUMN article_id BIGINT REFERENCES kb_articles (id);
CREATE INDEX screenshots_article ON screenshots (article_id) WHERE article_id IS NOT NULL;
DROP INDEX screenshots_unclaimed;
CREATE INDEX screenshots_unclaimed ON screenshots (created_at) WHERE incident_id IS NULL AND article_id IS NULL;
