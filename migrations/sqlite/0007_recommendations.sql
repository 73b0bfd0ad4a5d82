-- Recommend, computed once per article and kept: a cache miss then reads five ids instead of querying the
-- search index. Derived data: a node recomputes a row that is missing, a day old, or made for another
-- language rule; an edit of the article deletes its row.
CREATE TABLE article_recommendations (
    article_id  INTEGER NOT NULL PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    language    TEXT    NOT NULL,   -- the language the list was restricted to, '' for none
    ids         TEXT    NOT NULL,   -- recommended article ids, best first, comma-separated
    computed_at INTEGER NOT NULL    -- Unix seconds
);
