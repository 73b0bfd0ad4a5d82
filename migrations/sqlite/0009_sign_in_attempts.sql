-- Sign-in attempts counted per key ('account:…', 'address:…') in a window of fixed length that starts with the
-- first attempt. One row a key, so that a single upsert can count an attempt and return the count before the
-- password is checked: simultaneous attempts each see a different number, on one node or several. It takes
-- the place of login_failures, a row a failure, which could only be counted before and written after the
-- check, so that attempts made at once all passed the count.
DROP TABLE login_failures;

CREATE TABLE sign_in_attempts (
    key          TEXT    NOT NULL PRIMARY KEY,
    window_start INTEGER NOT NULL,   -- Unix seconds of the first attempt the count holds
    attempts     INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_by_window ON sign_in_attempts (window_start);
