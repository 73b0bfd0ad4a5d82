-- Recommend, computed once per article and kept (see migrations/sqlite/0007_recommendations.sql).
CREATE TABLE article_recommendations (
    article_id  BIGINT NOT NULL PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    language    TEXT   NOT NULL,
    ids         TEXT   NOT NULL,
    computed_at BIGINT NOT NULL
);
