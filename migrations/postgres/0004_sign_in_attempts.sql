-- Sign-in attempts counted per key in a fixed window (see migrations/sqlite/0009_sign_in_attempts.sql).
DROP TABLE login_failures;

CREATE TABLE sign_in_attempts (
    key          TEXT   NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts     BIGINT NOT NULL
);
CREATE INDEX sign_in_attempts_by_window ON sign_in_attempts (window_start);
