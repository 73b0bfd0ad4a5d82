-- Language editions: each language's lists read its own articles newest first, and an article page finds the
-- other editions of its translation group.
CREATE INDEX articles_by_language_time ON articles (language, status, published_at DESC);
CREATE INDEX articles_by_translation ON articles (translation_group) WHERE translation_group IS NOT NULL;


-- A section's name and description in the site's other languages; the section's own are the default
-- language's, and shown wherever a translation is missing.
CREATE TABLE section_names (
    section_id  INTEGER NOT NULL REFERENCES sections(id) ON DELETE CASCADE,
    language    TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (section_id, language)
);
