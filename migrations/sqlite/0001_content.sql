-- Content model. Times are Unix seconds (UTC) in INTEGER columns: the same type works on PostgreSQL (BIGINT),
-- sorts and compares cheaply, and leaves time-zone presentation to the site layer.

CREATE TABLE sections (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE authors (
    id     INTEGER PRIMARY KEY,
    slug   TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    bio    TEXT NOT NULL DEFAULT '',
    avatar TEXT            -- media path relative to the media root
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE images (
    id         INTEGER PRIMARY KEY,
    path       TEXT    NOT NULL,   -- media path relative to the media root, or an absolute URL
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    alt        TEXT    NOT NULL DEFAULT '',
    caption    TEXT    NOT NULL DEFAULT '',
    credit     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    section_id        INTEGER NOT NULL REFERENCES sections(id),
    slug              TEXT    NOT NULL,
    headline          TEXT    NOT NULL,
    standfirst        TEXT    NOT NULL DEFAULT '',
    lead_image_id     INTEGER REFERENCES images(id),
    language          TEXT    NOT NULL DEFAULT 'en',
    translation_group INTEGER,            -- articles that translate each other share a group (editions)
    status            TEXT    NOT NULL CHECK (status IN ('draft', 'scheduled', 'published')),
    published_at      INTEGER,            -- for scheduled articles: the planned time
    updated_at        INTEGER,            -- a visible "Updated" time after publication
    created_at        INTEGER NOT NULL,
    modified_at       INTEGER NOT NULL,   -- the last save of any kind
    view_count        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (section_id, slug)
);

-- Bodies live apart from the rest of the article: lists and related-article queries read many article rows
-- and none of their bodies, and small rows keep those reads in a few cached pages.
CREATE TABLE article_bodies (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    markdown   TEXT NOT NULL,
    html       TEXT NOT NULL   -- sanitised at save time, never on the request path
);

CREATE INDEX articles_by_status_time    ON articles (status, published_at DESC);
CREATE INDEX articles_by_section_time   ON articles (section_id, status, published_at DESC);
CREATE INDEX articles_by_status_views   ON articles (status, view_count DESC);
CREATE INDEX articles_by_update         ON articles (updated_at) WHERE updated_at IS NOT NULL;

CREATE TABLE article_authors (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES authors(id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, author_id)
);
CREATE INDEX article_authors_by_author ON article_authors (author_id, article_id);

CREATE TABLE article_tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id);

-- Every content write appends here in its own transaction. Caches and search indexes on every node follow
-- this sequence, so a missed notification only delays an update.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT    NOT NULL,
    entity_id INTEGER NOT NULL,
    at        INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
