-- Article ids are never used twice. Without AUTOINCREMENT SQLite gives a new row the largest id in use plus
-- one, so deleting the newest article handed its id to the next one, and a request still meant for the deleted
-- article (an editor's stale `PUT /api/admin/articles/{id}`) changed someone else's. PostgreSQL's identity
-- sequence never goes back, so only SQLite needs this.
--
-- AUTOINCREMENT cannot be added to a table, so `articles` is rebuilt as 0003_backoffice.sql did (foreign keys
-- off on the migrating connection, new table, copy, drop, rename, indexes again, check). The tables that refer
-- to articles (bodies, bylines, tags, daily views, revisions, redirects, old-platform addresses, Recommend
-- lists, kept pages) name `articles` and keep their rows: the ids do not change.

CREATE TABLE articles_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    section_id        INTEGER NOT NULL REFERENCES sections(id),
    slug              TEXT    NOT NULL,
    headline          TEXT    NOT NULL,
    standfirst        TEXT    NOT NULL DEFAULT '',
    lead_image_id     INTEGER REFERENCES images(id),
    language          TEXT    NOT NULL DEFAULT 'en',
    translation_group INTEGER,
    status            TEXT    NOT NULL
                      CHECK (status IN ('draft', 'submitted', 'scheduled', 'published', 'unpublished')),
    published_at      INTEGER,
    updated_at        INTEGER,
    created_at        INTEGER NOT NULL,
    modified_at       INTEGER NOT NULL,
    view_count        INTEGER NOT NULL DEFAULT 0,
    correction        TEXT    NOT NULL DEFAULT '',
    owner_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    UNIQUE (section_id, slug)
);

INSERT INTO articles_new (id, section_id, slug, headline, standfirst, lead_image_id, language, translation_group,
                          status, published_at, updated_at, created_at, modified_at, view_count, correction, owner_id)
    SELECT id, section_id, slug, headline, standfirst, lead_image_id, language, translation_group,
           status, published_at, updated_at, created_at, modified_at, view_count, correction, owner_id
    FROM articles;

DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;

CREATE INDEX articles_by_status_time    ON articles (status, published_at DESC);
CREATE INDEX articles_by_section_time   ON articles (section_id, status, published_at DESC);
CREATE INDEX articles_by_status_views   ON articles (status, view_count DESC);
CREATE INDEX articles_by_update         ON articles (updated_at) WHERE updated_at IS NOT NULL;
CREATE INDEX articles_by_owner          ON articles (owner_id, modified_at DESC);
CREATE INDEX articles_by_modified       ON articles (modified_at DESC);
CREATE INDEX articles_by_language_time  ON articles (language, status, published_at DESC);
CREATE INDEX articles_by_translation    ON articles (translation_group) WHERE translation_group IS NOT NULL;

-- An article deleted before this upgrade may have had the largest id; the change log still names it, so the
-- counter starts past every id ever recorded, not only past those still in the table.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'articles', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'articles');
UPDATE sqlite_sequence
   SET seq = MAX(seq,
                 (SELECT COALESCE(MAX(id), 0) FROM articles),
                 (SELECT COALESCE(MAX(entity_id), 0) FROM changes WHERE entity = 'article'))
 WHERE name = 'articles';

PRAGMA foreign_key_check;
