-- Article pages rendered ahead of readers and kept, so that a page-cache miss reads one row instead of the
-- ten tables a render reads. Derived data, like the Recommend lists: a row that is missing or stale is simply
-- rendered again on the next request for it.
--
-- A kept page is the whole HTML of the page with two places left open, filled on every serve: the view
-- count (at byte `views_at`) and the Latest block (at byte `latest_at`), which change without any edit of
-- the article.
CREATE TABLE kept_pages (
    article_id  INTEGER NOT NULL PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    theme       TEXT    NOT NULL,   -- fingerprint of the theme, translations, settings and sections it was made with
    seq         INTEGER NOT NULL,   -- the change sequence number its reads saw
    rendered_at INTEGER NOT NULL,   -- Unix seconds
    views_at    INTEGER NOT NULL,
    latest_at   INTEGER NOT NULL,
    html        TEXT    NOT NULL    -- last, so that the columns above stay on the row's first page
);

-- What each kept page shows: the article itself, the articles in its Recommend block and its other
-- editions, its authors, tags and lead image. A change to any of them deletes the page in the change's own
-- transaction, so no reader sees it after the change commits.
CREATE TABLE kept_page_sources (
    entity     TEXT    NOT NULL,   -- as in `changes`: 'article', 'author', 'tag', 'image'
    entity_id  INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES kept_pages(article_id) ON DELETE CASCADE,
    PRIMARY KEY (entity, entity_id, article_id)
);
CREATE INDEX kept_page_sources_by_article ON kept_page_sources (article_id);
