-- Kept pages are stored compressed and without the article's body (read from article_bodies when served), in
-- the site's own form (`page`; see src/site/kept.rs): a quarter of their size before. They are derived data, so
-- the old ones are dropped rather than converted; the keeper renders them again after the upgrade.
DROP TABLE kept_page_sources;
DROP TABLE kept_pages;

CREATE TABLE kept_pages (
    article_id  INTEGER NOT NULL PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    theme       TEXT    NOT NULL,   -- fingerprint of the theme, translations, settings and sections it was made with
    seq         INTEGER NOT NULL,   -- the change sequence number its reads saw
    rendered_at INTEGER NOT NULL,   -- Unix seconds
    page        BLOB    NOT NULL    -- the page in the site's form (src/site/kept.rs): compressed, its open places noted
);

CREATE TABLE kept_page_sources (
    entity     TEXT    NOT NULL,   -- as in `changes`: 'article', 'author', 'tag', 'image'
    entity_id  INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES kept_pages(article_id) ON DELETE CASCADE,
    PRIMARY KEY (entity, entity_id, article_id)
) WITHOUT ROWID;   -- the key is the row: one tree fewer
CREATE INDEX kept_page_sources_by_article ON kept_page_sources (article_id);
