-- Notes that editors and writers leave on a passage of an article. They belong to the back office only: no
-- public page, feed, search index, export or reader API reads this table. The passage is kept as a text-quote
-- selector (the quoted text with some text before and after it), so the editor can find it again after other
-- text changes; the article's body itself never holds any trace of a note.
CREATE TABLE article_notes (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    author_name TEXT    NOT NULL DEFAULT '',   -- as signed when written, kept if the account goes
    body        TEXT    NOT NULL,
    quote       TEXT    NOT NULL,
    prefix      TEXT    NOT NULL DEFAULT '',
    suffix      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,   -- Unix seconds
    resolved_at INTEGER,            -- Unix seconds; NULL while open
    resolved_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    resolver_name TEXT  NOT NULL DEFAULT ''
);
CREATE INDEX article_notes_article ON article_notes (article_id);
