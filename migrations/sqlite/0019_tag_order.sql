-- Tags keep the order they were typed in. Articles saved before this have every tag at 0, and ties read in
-- name order, as all tags did before.
ALTER TABLE article_tags ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
