-- The bank side made durable: every verified bank message is stored raw before it is
-- acknowledged and applied afterwards; status queries and refunds run from stored
-- schedules, so a restart loses and forgets nothing.

-- Every verified bank verdict (a notification, or a status query's answer), stored
-- before the bank hears "received" and applied afterwards by one applier, in id order.
CREATE TABLE bank_inbox (
    id                   INTEGER PRIMARY KEY,
    connector            TEXT NOT NULL,
    source               TEXT NOT NULL CHECK (source IN ('notification', 'query')),
    -- Who signed it and when (unix seconds); NULL for the gateway's own conclusions.
    key_id               TEXT,
    signed_at            INTEGER,
    attempt_id           TEXT NOT NULL,
    order_id             TEXT NOT NULL,
    bank_code            TEXT NOT NULL,
    bank_transaction_id  TEXT,
    -- As the bank stated them: a mismatch is detected, never coerced.
    amount               TEXT NOT NULL,
    currency             TEXT NOT NULL,
    outcome              TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
    failure_reason       TEXT,
    body                 TEXT NOT NULL,
    received_at          INTEGER NOT NULL,
    state                TEXT NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'applied', 'duplicate', 'ignored', 'quarantined')),
    -- What applying it did, in words, for the operator.
    detail               TEXT,
    applied_at           INTEGER
);
CREATE INDEX bank_inbox_unapplied ON bank_inbox (id) WHERE state = 'received';
CREATE INDEX bank_inbox_by_attempt ON bank_inbox (attempt_id);

-- Notifications stored before this table existed were applied on receipt.
INSERT INTO bank_inbox (connector, source, attempt_id, order_id, bank_code, bank_transaction_id,
                        amount, currency, outcome, failure_reason, body, received_at, state,
                        detail, applied_at)
SELECT connector, 'notification', attempt_id, json_extract(body, '$.order_id'),
       json_extract(body, '$.bank_code'), json_extract(body, '$.bank_transaction_id'),
       json_extract(body, '$.amount'), json_extract(body, '$.currency'),
       json_extract(body, '$.outcome.status'), json_extract(body, '$.outcome.reason'),
       body, received_at,
       CASE result WHEN 'duplicate' THEN 'duplicate' WHEN 'conflicting' THEN 'ignored'
                   ELSE 'applied' END,
       result, received_at
FROM bank_notifications WHERE json_valid(body);
DROP TABLE bank_notifications;

-- Signature nonces seen from banks, kept until no message signed with them can be
-- fresh any more: a second message with the same nonce is a replay.
CREATE TABLE bank_nonces (
    connector   TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (connector, nonce)
) WITHOUT ROWID;
CREATE INDEX bank_nonces_expiry ON bank_nonces (expires_at);

-- When to ask the bank about a pending attempt next, and how often it was asked.
ALTER TABLE payment_attempts ADD COLUMN next_query_at INTEGER;
ALTER TABLE payment_attempts ADD COLUMN queries INTEGER NOT NULL DEFAULT 0;
UPDATE payment_attempts SET next_query_at = created_at + 30000 WHERE status = 'pending';
CREATE INDEX attempts_to_query ON payment_attempts (next_query_at) WHERE status = 'pending';

-- Money given back at the bank. `reason` says why: the merchant asked, or the gateway
-- did because the payment could not be kept (late, or a second payment of one order).
CREATE TABLE refunds (
    id               TEXT PRIMARY KEY,
    order_id         TEXT NOT NULL REFERENCES orders (id),
    attempt_id       TEXT NOT NULL REFERENCES payment_attempts (id),
    amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL,
    reason           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    bank_refund_id   TEXT,
    failure_reason   TEXT,
    created_at       INTEGER NOT NULL,
    decided_at       INTEGER,
    tries            INTEGER NOT NULL DEFAULT 0,
    next_try_at      INTEGER
);
CREATE INDEX refunds_by_order ON refunds (order_id);
CREATE INDEX refunds_due ON refunds (next_try_at) WHERE status = 'pending';

-- What an operator must look at: quarantined notifications, refunds a bank refused.
CREATE TABLE alerts (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    message      TEXT NOT NULL,
    order_id     TEXT,
    attempt_id   TEXT,
    inbox_id     INTEGER,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER
);
CREATE INDEX alerts_open ON alerts (created_at) WHERE resolved_at IS NULL;
