-- What an editor typed and has not saved yet: one autosave per article and person, written a few seconds after
-- typing stops and removed by their next save. Not a revision: the article and its history stay as they were.
CREATE TABLE autosaves (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    saved_at   INTEGER NOT NULL,   -- Unix seconds
    base       INTEGER NOT NULL,   -- the article's modified_at the editor started from
    draft      TEXT    NOT NULL,   -- the editor's fields, JSON
    PRIMARY KEY (article_id, user_id)
);
