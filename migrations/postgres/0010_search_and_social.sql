-- SEO title, meta description and share image (see migrations/sqlite/0017_search_and_social.sql).
ALTER TABLE articles ADD COLUMN seo_title       TEXT   NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_description TEXT   NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN share_image_id  BIGINT REFERENCES images(id);
CREATE INDEX articles_by_share_image ON articles (share_image_id) WHERE share_image_id IS NOT NULL;
