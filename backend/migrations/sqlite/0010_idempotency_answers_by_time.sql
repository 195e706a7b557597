-- Idempotency answers ordered by when they were made.
--
-- An answer is a row of ~0.8 KB (the response body), four to a page. Keyed by
-- (merchant_id, key), which merchants choose at random, every new answer landed on a
-- random page and split it every other insert: each order's commit rewrote two or three
-- pages of this table alone. Keyed by time first, answers are appended to the last
-- page; finding one by its key goes through a unique index of small entries, and
-- expired answers are one range of the primary key, so the age index goes too.
CREATE TABLE idempotency_answers (
    created_at     INTEGER NOT NULL,
    merchant_id    TEXT NOT NULL,
    key            TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key for another request is refused.
    request_hash   TEXT NOT NULL,
    status         INTEGER NOT NULL,
    body           BLOB NOT NULL,
    PRIMARY KEY (created_at, merchant_id, key)
) WITHOUT ROWID;

INSERT INTO idempotency_answers (created_at, merchant_id, key, request_hash, status, body)
SELECT created_at, merchant_id, key, request_hash, status, body FROM idempotency_keys;

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_answers RENAME TO idempotency_keys;
CREATE UNIQUE INDEX idempotency_keys_by_key ON idempotency_keys (merchant_id, key);
