-- Where a picture's subject is, as fractions of its width and height from the top left (the centre until an
-- editor clicks elsewhere), and the cropped copies made around it (16:9, 4:3, 1:1 and the 1200 × 630 share
-- image), JSON; the copies are made again whenever the point moves.
ALTER TABLE images ADD COLUMN focal_x REAL NOT NULL DEFAULT 0.5;
ALTER TABLE images ADD COLUMN focal_y REAL NOT NULL DEFAULT 0.5;
ALTER TABLE images ADD COLUMN crops TEXT NOT NULL DEFAULT '[]';

-- Which article bodies show which library image, written whenever a body is saved. Body images are Markdown
-- links to a file's address; matching addresses against every body when the library is listed would read
-- every body for every image shown.
CREATE TABLE image_uses (
    image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (image_id, article_id)
);
CREATE INDEX image_uses_by_article ON image_uses (article_id);

-- Bodies saved before: an address names an image when it is the image's file or one of its copies, which are
-- named after the file with `-…` before the extension.
INSERT INTO image_uses (image_id, article_id)
SELECT DISTINCT i.id, b.article_id
FROM images i JOIN article_bodies b
  ON b.markdown LIKE '%/media/' || i.path || '%'
  OR b.markdown LIKE '%/media/' || rtrim(rtrim(i.path, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), '.') || '-%'
WHERE i.in_library = 1 AND i.path LIKE '%.%' AND i.path NOT LIKE 'http%';
