-- The style guide's glossary: names and terms with the spelling the desk accepts in a language, and the forms
-- to flag. `avoid` is a JSON array of strings.
CREATE TABLE glossary_terms (
    id         INTEGER PRIMARY KEY,
    language   TEXT    NOT NULL DEFAULT 'en',
    accepted   TEXT    NOT NULL,
    avoid      TEXT    NOT NULL DEFAULT '[]',
    note       TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    UNIQUE (language, accepted)
);
