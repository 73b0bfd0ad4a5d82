-- Daily view counts per article, for the back office's charts and "most read this week".
CREATE TABLE article_views_daily (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    day        TEXT    NOT NULL,   -- YYYY-MM-DD in the site's time zone
    views      INTEGER NOT NULL,
    PRIMARY KEY (article_id, day)
);
CREATE INDEX article_views_daily_by_day ON article_views_daily (day, views DESC);
