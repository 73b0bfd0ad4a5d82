-- Unsaved editor text, one row per article and person (see migrations/sqlite/0014_autosaves.sql).
CREATE TABLE autosaves (
    article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    saved_at   BIGINT NOT NULL,
    base       BIGINT NOT NULL,
    draft      TEXT   NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
