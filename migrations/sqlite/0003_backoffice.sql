-- The back office: people who sign in, their sessions and tokens, revisions, and two more article statuses.
--
-- SQLite cannot change a CHECK constraint, so the articles table is rebuilt the way SQLite's documentation
-- describes (https://www.sqlite.org/lang_altertable.html, "making other kinds of table schema changes"):
-- foreign keys off, one transaction, new table, copy, drop, rename, indexes again, check, commit. The store
-- runs migrations on a connection with foreign keys off (`PRAGMA foreign_keys` cannot change inside sqlx's
-- migration transaction), because with them on, dropping the old table would cascade-delete every body,
-- byline, tag and daily view count.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('administrator', 'editor', 'author', 'contributor')),
    password_hash TEXT,               -- argon2id PHC string; NULL until the person sets one
    author_id     INTEGER REFERENCES authors(id) ON DELETE SET NULL,  -- their byline
    created_at    INTEGER NOT NULL
);

-- Only a hash of each session token is stored: a copy of the database does not let anyone sign in.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Failed sign-ins, keyed by account ('email:…') and by client address ('ip:…'), for throttling.
CREATE TABLE login_failures (
    key TEXT    NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label        TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

-- One-time links with which a new user (or one who forgot) sets a password.
CREATE TABLE password_links (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

CREATE TABLE articles_new (
    id                INTEGER PRIMARY KEY,
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
    correction        TEXT    NOT NULL DEFAULT '',   -- a visible correction note on a published article
    owner_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,  -- who created it (authors edit their own)
    UNIQUE (section_id, slug)
);

INSERT INTO articles_new (id, section_id, slug, headline, standfirst, lead_image_id, language, translation_group,
                          status, published_at, updated_at, created_at, modified_at, view_count)
    SELECT id, section_id, slug, headline, standfirst, lead_image_id, language, translation_group,
           status, published_at, updated_at, created_at, modified_at, view_count
    FROM articles;

DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;

CREATE INDEX articles_by_status_time    ON articles (status, published_at DESC);
CREATE INDEX articles_by_section_time   ON articles (section_id, status, published_at DESC);
CREATE INDEX articles_by_status_views   ON articles (status, view_count DESC);
CREATE INDEX articles_by_update         ON articles (updated_at) WHERE updated_at IS NOT NULL;
CREATE INDEX articles_by_owner          ON articles (owner_id, modified_at DESC);
CREATE INDEX articles_by_modified       ON articles (modified_at DESC);

-- The media library: uploaded images (articles' own imported images stay out of it), with resized copies.
ALTER TABLE images ADD COLUMN in_library INTEGER NOT NULL DEFAULT 0;
ALTER TABLE images ADD COLUMN variants   TEXT    NOT NULL DEFAULT '[]';  -- JSON: [{path, width, mime}]

-- Every save in the back office keeps the article as it was saved (JSON of the editable fields).
CREATE TABLE article_revisions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    saved_at   INTEGER NOT NULL,
    snapshot   TEXT    NOT NULL
);
CREATE INDEX article_revisions_by_article ON article_revisions (article_id, id DESC);

-- Old addresses of articles whose slug or section changed, answered with a 301 to the current address.
CREATE TABLE article_redirects (
    section_slug TEXT    NOT NULL,
    slug         TEXT    NOT NULL,
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (section_slug, slug)
);

PRAGMA foreign_key_check;
