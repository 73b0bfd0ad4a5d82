-- Kept pages are compressed against a dictionary made from the first page rendered with their fingerprint,
-- stored once here, instead of against the theme's templates: rows of about 1.2 KB instead of 2.2 KB, three
-- to a database page instead of one. A page names its dictionary by id rather than carrying the fingerprint.
-- The old pages cannot be read with the new dictionaries, so they are dropped and rendered again.
DROP TABLE kept_page_sources;
DROP TABLE kept_pages;

CREATE TABLE kept_dictionaries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,   -- never reused, so a stale id names nothing
    fingerprint TEXT    NOT NULL UNIQUE,   -- of the theme, translations, settings and sections (src/site/kept.rs)
    dictionary  BLOB    NOT NULL,          -- a page rendered with them, without its open places
    made_at     INTEGER NOT NULL           -- Unix seconds: one no page uses is deleted a day later
);

-- Keyed by SQLite's rowid rather than the article: a page is appended where the last one was written, so the
-- table's pages fill up (the keeper writes newest article first, and by article id every insert would split a
-- page at the front: pages were 42% full).
CREATE TABLE kept_pages (
    article_id  INTEGER NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
    dictionary  INTEGER NOT NULL REFERENCES kept_dictionaries(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,   -- the change sequence number its reads saw
    rendered_at INTEGER NOT NULL,   -- Unix seconds
    page        BLOB    NOT NULL    -- the page in the site's form (src/site/kept.rs): compressed, its open places noted
);
CREATE INDEX kept_pages_by_dictionary ON kept_pages (dictionary);

CREATE TABLE kept_page_sources (
    entity     TEXT    NOT NULL,   -- as in `changes`: 'article', 'author', 'tag', 'image'
    entity_id  INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES kept_pages(article_id) ON DELETE CASCADE,
    PRIMARY KEY (entity, entity_id, article_id)
) WITHOUT ROWID;   -- the key is the row: one tree fewer
CREATE INDEX kept_page_sources_by_article ON kept_page_sources (article_id);
