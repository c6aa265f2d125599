-- :n knowledge-base articles for bench/kb.sh, made from the relevance set's 160 brokerage and
-- insurance articles: each one article's title (numbered) and the bodies of two, one in ten a
-- draft. Deterministic (no randomness), so runs compare.
CREATE TEMP TABLE src (line text);
\copy src FROM 'bench/kb-relevance/articles.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
CREATE TEMP TABLE a AS SELECT row_number() OVER () AS k, line::jsonb AS j FROM src;
INSERT INTO users (login, display_name, role, password_hash)
VALUES ('bench_author', '压测作者', 'handler', '!') ON CONFLICT DO NOTHING;
INSERT INTO kb_articles (title, system_id, category_id, tags, body, html, status, author_id, published_at)
SELECT (a.j->>'title') || '（' || g % 97 || '）',
       s.id, c.id,
       ARRAY(SELECT jsonb_array_elements_text(a.j->'tags')),
       (a.j->>'body') || E'\n\n' || (b.j->>'body'),
       '<p>' || replace(replace((a.j->>'body') || E'\n\n' || (b.j->>'body'), '<', '&lt;'), E'\n\n', '</p><p>') || '</p>',
       CASE WHEN g % 10 = 0 THEN 'draft' ELSE 'published' END,
       (SELECT id FROM users WHERE lower(login) = 'bench_author'),
       CASE WHEN g % 10 = 0 THEN NULL ELSE now() END
FROM generate_series(1::bigint, :n) g
JOIN a ON a.k = 1 + (g * 7919) % (SELECT count(*) FROM a)
JOIN a b ON b.k = 1 + (g * 104729 + 13) % (SELECT count(*) FROM a)
JOIN systems s ON s.code = a.j->>'system'
LEFT JOIN categories c ON c.code = a.j->>'category' AND c.parent_id IS NULL;
INSERT INTO kb_revisions (article_id, number, title, system_id, category_id, tags, body, editor_id)
SELECT id, 1, title, system_id, category_id, tags, body, author_id FROM kb_articles;
-- A week of reads, so the article pages and the hot questions have something to count.
INSERT INTO kb_views (article_id, day, views)
SELECT id, current_date - (id % 7)::int, 1 + id % 13 FROM kb_articles WHERE status = 'published';
ANALYZE;
