-- Private preview links: anyone with the address may read the article's last save until the link expires or
-- is revoked (its row deleted). Only a hash of the token is stored, so the table cannot give links away.
CREATE TABLE preview_links (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    token_hash TEXT    NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,   -- Unix seconds
    expires_at INTEGER NOT NULL    -- Unix seconds
);
CREATE INDEX preview_links_article ON preview_links (article_id);
