-- Every merchant POST may carry an Idempotency-Key. The first successful answer is kept
-- byte for byte, status included, written in the same transaction as the change it
-- reports, and replayed for 24 hours to a retry with the same key and request.
--
-- Keys made before this kept only the order they created, not an answer to replay.
-- They are dropped: a key lives 24 hours, and this release is the sandbox's, with no
-- merchant retrying across the upgrade. A production upgrade drains retries first.
DROP TABLE idempotency_keys;

CREATE TABLE idempotency_keys (
    merchant_id    TEXT NOT NULL,
    key            TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key for another request is refused.
    request_hash   TEXT NOT NULL,
    status         INTEGER NOT NULL,
    body           BLOB NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
