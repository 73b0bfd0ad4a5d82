-- Article pages rendered ahead of readers and kept (see migrations/sqlite/0008_kept_pages.sql).
CREATE TABLE kept_pages (
    article_id  BIGINT NOT NULL PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    theme       TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    rendered_at BIGINT NOT NULL,
    views_at    BIGINT NOT NULL,
    latest_at   BIGINT NOT NULL,
    html        TEXT   NOT NULL
);

CREATE TABLE kept_page_sources (
    entity     TEXT   NOT NULL,
    entity_id  BIGINT NOT NULL,
    article_id BIGINT NOT NULL REFERENCES kept_pages(article_id) ON DELETE CASCADE,
    PRIMARY KEY (entity, entity_id, article_id)
);
CREATE INDEX kept_page_sources_by_article ON kept_page_sources (article_id);
