-- Times are Unix milliseconds (INTEGER); money is INTEGER minor units of the order's
-- currency, so no amount is ever rounded by the database.

CREATE TABLE merchants (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    -- SHA-256 of the secret key: the key itself is never stored.
    secret_key_hash  TEXT NOT NULL UNIQUE,
    webhook_url      TEXT,
    webhook_secret   TEXT NOT NULL,
    -- JSON array of registered return URLs (scheme, host, port and path must match).
    return_urls      TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE TABLE orders (
    id                  TEXT PRIMARY KEY,
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    status              TEXT NOT NULL
        CHECK (status IN ('created', 'pending', 'paid', 'failed', 'expired', 'cancelled')),
    currency            TEXT NOT NULL,
    total_minor         INTEGER NOT NULL CHECK (total_minor > 0),
    merchant_reference  TEXT NOT NULL,
    return_url          TEXT NOT NULL,
    -- Names its order (see ids.rs), so it needs no index of its own.
    client_token        TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    paid_at             INTEGER
) WITHOUT ROWID;
CREATE INDEX orders_by_merchant ON orders (merchant_id, created_at);

CREATE TABLE order_items (
    order_id          TEXT NOT NULL REFERENCES orders (id),
    position          INTEGER NOT NULL,
    name              TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor  INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    line_total_minor  INTEGER NOT NULL CHECK (line_total_minor >= 0),
    image_url         TEXT,
    PRIMARY KEY (order_id, position)
) WITHOUT ROWID;

-- Which order each (merchant, Idempotency-Key) created. The first answer is a pure
-- function of that order as created, so it is rendered again rather than stored:
-- keys stay small rows in a randomly keyed index.
CREATE TABLE idempotency_keys (
    merchant_id    TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    order_id       TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, key)
) WITHOUT ROWID;

CREATE TABLE payment_attempts (
    id                   TEXT PRIMARY KEY,
    order_id             TEXT NOT NULL REFERENCES orders (id),
    bank_code            TEXT NOT NULL,
    card_kind            TEXT NOT NULL CHECK (card_kind IN ('debit', 'credit')),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    amount_minor         INTEGER NOT NULL,
    currency             TEXT NOT NULL,
    -- The widget's key for one Pay click: a double click finds the same attempt.
    idempotency_key      TEXT NOT NULL,
    failure_reason       TEXT,
    bank_transaction_id  TEXT,
    created_at           INTEGER NOT NULL,
    decided_at           INTEGER,
    UNIQUE (order_id, idempotency_key)
);
CREATE INDEX attempts_by_order ON payment_attempts (order_id, created_at);
CREATE UNIQUE INDEX attempts_by_bank_transaction
    ON payment_attempts (bank_code, bank_transaction_id) WHERE bank_transaction_id IS NOT NULL;

-- Every verified bank notification, raw, with what applying it did.
CREATE TABLE bank_notifications (
    id           INTEGER PRIMARY KEY,
    connector    TEXT NOT NULL,
    attempt_id   TEXT NOT NULL,
    body         TEXT NOT NULL,
    result       TEXT NOT NULL,
    received_at  INTEGER NOT NULL
);

-- Transactional outbox: written in the same transaction as the order change it
-- reports; the dispatcher delivers from here, so a crash loses nothing.
CREATE TABLE outbox_events (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    order_id         TEXT NOT NULL REFERENCES orders (id),
    type             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    delivered_at     INTEGER,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox_events (next_attempt_at) WHERE delivered_at IS NULL;
