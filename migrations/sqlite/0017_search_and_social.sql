-- How an article presents itself to search engines and social networks, where that differs from its page: an
-- SEO title and a meta description (empty: the headline and standfirst serve) and a share image from the media
-- library (none: the lead image serves). Columns on the article row, so the article page reads them in the read
-- it already makes.
ALTER TABLE articles ADD COLUMN seo_title       TEXT    NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN seo_description TEXT    NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN share_image_id  INTEGER REFERENCES images(id);

-- Which articles share an image: asked, like the lead image's use, before an image is deleted.
CREATE INDEX articles_by_share_image ON articles (share_image_id) WHERE share_image_id IS NOT NULL;
