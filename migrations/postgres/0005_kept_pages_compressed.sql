-- Kept pages are stored compressed and without the body, in the site's own form (see
-- migrations/sqlite/0012_kept_pages_compressed.sql); the old ones are dropped and rendered again.
DELETE FROM kept_pages;
ALTER TABLE kept_pages
    DROP COLUMN views_at,
    DROP COLUMN latest_at,
    DROP COLUMN html,
    ADD COLUMN page BYTEA NOT NULL;
