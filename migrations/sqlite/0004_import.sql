-- Imports and moves between sites.

-- Where imported content came from: importing the same export again finds the article (or image) it made
-- last time by the source's own id and updates it, instead of adding a copy.
CREATE TABLE import_keys (
    source    TEXT    NOT NULL,   -- 'wordpress:<site address>', 'ghost:<site or file id>', …
    kind      TEXT    NOT NULL,   -- 'article' or 'image'
    key       TEXT    NOT NULL,   -- the source's id for it
    entity_id INTEGER NOT NULL,
    PRIMARY KEY (source, kind, key)
);
CREATE INDEX import_keys_by_entity ON import_keys (kind, entity_id);

-- Addresses an article had on the platform it came from (`/?p=12`, `/2019/03/04/a-story/`, `/a-story/`),
-- answered with a 301 to its address here, so that old links and search results keep working.
CREATE TABLE legacy_paths (
    path       TEXT    PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX legacy_paths_by_article ON legacy_paths (article_id);
