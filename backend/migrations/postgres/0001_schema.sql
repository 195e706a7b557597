-- The PostgreSQL store's schema: the SQLite store's tables, in PostgreSQL's types.
-- Times are Unix milliseconds (BIGINT); money is BIGINT minor units of its currency,
-- so no amount is ever rounded by the database. JSON documents are TEXT, read and
-- written whole by the gateway.

CREATE TABLE merchants (
    id                         TEXT PRIMARY KEY,
    name                       TEXT NOT NULL,
    -- JSON array of registered return URLs (scheme, host, port and path must match).
    return_urls                TEXT NOT NULL,
    -- Where payouts go: an account number at one bank.
    settlement_bank            TEXT,
    settlement_account_number  TEXT,
    -- JSON, domain::fee::FeePlan; NULL is the documented default plan.
    fee_plan                   TEXT,
    created_at                 BIGINT NOT NULL
);

CREATE TABLE merchant_keys (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    key_hash     TEXT NOT NULL UNIQUE,
    -- The key's last four characters, to tell keys apart.
    last4        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX merchant_keys_by_merchant ON merchant_keys (merchant_id, created_at);

CREATE TABLE orders (
    id                  TEXT PRIMARY KEY,
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    status              TEXT NOT NULL
        CHECK (status IN ('created', 'pending', 'paid', 'failed', 'expired', 'cancelled')),
    currency            TEXT NOT NULL,
    total_minor         BIGINT NOT NULL CHECK (total_minor > 0),
    merchant_reference  TEXT NOT NULL,
    return_url          TEXT NOT NULL,
    -- Names its order (see ids.rs), so it needs no index of its own.
    client_token        TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    paid_at             BIGINT,
    paid_attempt_id     TEXT
);
CREATE INDEX orders_by_merchant ON orders (merchant_id, created_at);
CREATE INDEX orders_open_by_expiry ON orders (expires_at)
    WHERE status IN ('created', 'pending', 'failed');
CREATE INDEX orders_by_merchant_status ON orders (merchant_id, status, created_at);
CREATE INDEX orders_by_merchant_reference ON orders (merchant_id, merchant_reference);

CREATE TABLE order_items (
    order_id          TEXT NOT NULL REFERENCES orders (id),
    position          BIGINT NOT NULL,
    name              TEXT NOT NULL,
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    unit_price_minor  BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    line_total_minor  BIGINT NOT NULL CHECK (line_total_minor >= 0),
    image_url         TEXT,
    PRIMARY KEY (order_id, position)
);

CREATE TABLE payment_attempts (
    id                   TEXT PRIMARY KEY,
    -- Orders attempts of one order made in the same millisecond (SQLite's rowid).
    seq                  BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    order_id             TEXT NOT NULL REFERENCES orders (id),
    bank_code            TEXT NOT NULL,
    card_kind            TEXT NOT NULL CHECK (card_kind IN ('debit', 'credit')),
    status               TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    amount_minor         BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    -- The widget's key for one Pay click: a double click finds the same attempt.
    idempotency_key      TEXT NOT NULL,
    failure_reason       TEXT,
    bank_transaction_id  TEXT,
    created_at           BIGINT NOT NULL,
    decided_at           BIGINT,
    mode                 TEXT NOT NULL DEFAULT 'embedded' CHECK (mode IN ('embedded', 'hosted')),
    next_query_at        BIGINT,
    queries              BIGINT NOT NULL DEFAULT 0,
    card_last4           TEXT CHECK (card_last4 ~ '^[0-9]{4}$'),
    UNIQUE (order_id, idempotency_key)
);
CREATE INDEX attempts_by_order ON payment_attempts (order_id, created_at, seq);
CREATE UNIQUE INDEX attempts_by_bank_transaction
    ON payment_attempts (bank_code, bank_transaction_id) WHERE bank_transaction_id IS NOT NULL;
CREATE INDEX attempts_to_query ON payment_attempts (next_query_at) WHERE status = 'pending';
ALTER TABLE orders ADD FOREIGN KEY (paid_attempt_id) REFERENCES payment_attempts (id);

CREATE TABLE bank_inbox (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connector            TEXT NOT NULL,
    source               TEXT NOT NULL CHECK (source IN ('notification', 'query')),
    -- Who signed it and when (unix seconds); NULL for the gateway's own conclusions.
    key_id               TEXT,
    signed_at            BIGINT,
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
    received_at          BIGINT NOT NULL,
    state                TEXT NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'applied', 'duplicate', 'ignored', 'quarantined')),
    -- What applying it did, in words, for the operator.
    detail               TEXT,
    applied_at           BIGINT,
    card_last4           TEXT CHECK (card_last4 ~ '^[0-9]{4}$')
);
CREATE INDEX bank_inbox_unapplied ON bank_inbox (id) WHERE state = 'received';
CREATE INDEX bank_inbox_by_attempt ON bank_inbox (attempt_id);
CREATE INDEX bank_inbox_by_order ON bank_inbox (order_id) WHERE state = 'received';

CREATE TABLE bank_nonces (
    connector   TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (connector, nonce)
);
CREATE INDEX bank_nonces_expiry ON bank_nonces (expires_at);

CREATE TABLE refunds (
    id               TEXT PRIMARY KEY,
    order_id         TEXT NOT NULL REFERENCES orders (id),
    attempt_id       TEXT NOT NULL REFERENCES payment_attempts (id),
    amount_minor     BIGINT NOT NULL CHECK (amount_minor > 0),
    currency         TEXT NOT NULL,
    reason           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    bank_refund_id   TEXT,
    failure_reason   TEXT,
    created_at       BIGINT NOT NULL,
    decided_at       BIGINT,
    tries            BIGINT NOT NULL DEFAULT 0,
    next_try_at      BIGINT
);
CREATE INDEX refunds_by_order ON refunds (order_id);
CREATE INDEX refunds_due ON refunds (next_try_at) WHERE status = 'pending';
CREATE INDEX refunds_by_attempt ON refunds (attempt_id, status);

CREATE TABLE alerts (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    message      TEXT NOT NULL,
    order_id     TEXT,
    attempt_id   TEXT,
    inbox_id     BIGINT,
    created_at   BIGINT NOT NULL,
    resolved_at  BIGINT,
    resolution   TEXT
);
CREATE INDEX alerts_open ON alerts (created_at) WHERE resolved_at IS NULL;

CREATE TABLE alert_keys (
    key       TEXT PRIMARY KEY,
    alert_id  TEXT NOT NULL
);

CREATE TABLE webhook_endpoints (
    id                      TEXT PRIMARY KEY,
    merchant_id             TEXT NOT NULL REFERENCES merchants (id),
    url                     TEXT NOT NULL,
    -- JSON array of event types; ["*"] subscribes to every type.
    event_types             TEXT NOT NULL,
    description             TEXT,
    -- Needed in clear to sign (HMAC); never logged, shown once at creation and rotation.
    secret                  TEXT NOT NULL,
    -- After a rotation the old secret signs too, until this time (ms).
    previous_secret         TEXT,
    previous_secret_until   BIGINT,
    status                  TEXT NOT NULL CHECK (status IN ('enabled', 'disabled', 'deleted')),
    -- Why a disabled endpoint was disabled (the merchant, or a 410 Gone answer).
    disabled_reason         TEXT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_by_merchant ON webhook_endpoints (merchant_id, created_at);

-- Transactional outbox: written in the same transaction as the change it reports.
CREATE TABLE outbox_events (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    -- The subject: an order's, settlement's or payout's id.
    order_id         TEXT NOT NULL,
    type             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    seq              BIGINT
);
CREATE UNIQUE INDEX outbox_events_order_seq ON outbox_events (order_id, seq);
CREATE INDEX outbox_events_by_merchant ON outbox_events (merchant_id, created_at);

CREATE TABLE webhook_deliveries (
    event_id         TEXT NOT NULL REFERENCES outbox_events (id),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id),
    -- The event's order and number, copied so the in-order rule needs no join.
    order_id         TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    state            TEXT NOT NULL
        CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
    -- When retries started (at the event, or when the merchant asked to redeliver).
    scheduled_at     BIGINT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    delivered_at     BIGINT,
    last_error       TEXT,
    PRIMARY KEY (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_in_order
    ON webhook_deliveries (endpoint_id, order_id, seq) WHERE state = 'pending';

CREATE TABLE webhook_attempts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id      TEXT NOT NULL,
    endpoint_id   TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    duration_ms   BIGINT NOT NULL,
    -- The HTTP status, if the endpoint answered at all.
    status_code   BIGINT,
    error         TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (event_id, endpoint_id, id);

CREATE TABLE idempotency_keys (
    merchant_id    TEXT NOT NULL,
    key            TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key for another request is refused.
    request_hash   TEXT NOT NULL,
    status         BIGINT NOT NULL,
    body           BYTEA NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- Requests under way with a key, held in the database so every replica sees them;
-- a claim a killed replica left behind lapses at `expires_at`.
CREATE TABLE idempotency_claims (
    merchant_id    TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    expires_at     BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, key)
);

CREATE TABLE ledger_transactions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cause_kind  TEXT NOT NULL,
    cause_id    TEXT NOT NULL,
    currency    TEXT NOT NULL,
    posted_at   BIGINT NOT NULL,
    UNIQUE (cause_kind, cause_id)
);

CREATE TABLE ledger_entries (
    transaction_id  BIGINT NOT NULL REFERENCES ledger_transactions (id),
    position        BIGINT NOT NULL,
    account         TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL CHECK (amount_minor <> 0),
    PRIMARY KEY (transaction_id, position)
);
CREATE INDEX ledger_entries_by_account ON ledger_entries (account, currency);

CREATE FUNCTION paydesk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0];
END $$;

CREATE TRIGGER ledger_transactions_never_change BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION paydesk_refuse('ledger transactions are append-only');
CREATE TRIGGER ledger_entries_never_change BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION paydesk_refuse('ledger entries are append-only');

CREATE TABLE balance_transactions (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    transaction_id  BIGINT NOT NULL UNIQUE REFERENCES ledger_transactions (id),
    type            TEXT NOT NULL CHECK (type IN ('payment', 'refund', 'refund_failure',
                        'payout', 'payout_failure', 'adjustment')),
    amount_minor    BIGINT NOT NULL,
    fee_minor       BIGINT NOT NULL CHECK (fee_minor >= 0),
    net_minor       BIGINT NOT NULL CHECK (net_minor = amount_minor - fee_minor),
    currency        TEXT NOT NULL,
    source          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'available')),
    settlement_id   TEXT,
    payout_id       TEXT,
    available_on    BIGINT,
    created_at      BIGINT NOT NULL,
    reconciled_at   BIGINT
);
CREATE INDEX balance_transactions_by_merchant ON balance_transactions (merchant_id, id);
CREATE INDEX balance_transactions_settleable ON balance_transactions (merchant_id, currency)
    WHERE status = 'pending' AND reconciled_at IS NOT NULL;
CREATE INDEX balance_transactions_by_source ON balance_transactions (source);

CREATE TRIGGER balance_transactions_keep_their_money BEFORE UPDATE ON balance_transactions
    FOR EACH ROW WHEN (NEW.amount_minor IS DISTINCT FROM OLD.amount_minor
        OR NEW.fee_minor IS DISTINCT FROM OLD.fee_minor
        OR NEW.currency IS DISTINCT FROM OLD.currency
        OR NEW.merchant_id IS DISTINCT FROM OLD.merchant_id
        OR NEW.transaction_id IS DISTINCT FROM OLD.transaction_id
        OR (OLD.status = 'available' AND NEW.status <> 'available'))
    EXECUTE FUNCTION paydesk_refuse('a balance transaction keeps its amounts');
CREATE TRIGGER balance_transactions_never_go BEFORE DELETE ON balance_transactions
    FOR EACH ROW EXECUTE FUNCTION paydesk_refuse('balance transactions are never deleted');

CREATE TABLE reconciliation_lines (
    run_date              TEXT NOT NULL,
    connector             TEXT NOT NULL,
    merchant_id           TEXT NOT NULL,
    position              BIGINT NOT NULL,
    class                 TEXT NOT NULL CHECK (class IN ('matched', 'missing_at_bank',
                              'unknown_to_gateway', 'amount_mismatch', 'currency_mismatch',
                              'duplicate')),
    key                   TEXT NOT NULL,
    kind                  TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
    bank_transaction_id   TEXT,
    bank_amount           TEXT,
    bank_currency         TEXT,
    gateway_amount_minor  BIGINT,
    gateway_currency      TEXT,
    order_id              TEXT,
    detail                TEXT NOT NULL,
    PRIMARY KEY (run_date, connector, merchant_id, position)
);

CREATE TABLE reconciliation_breaks (
    run_date     TEXT NOT NULL,
    connector    TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    class        TEXT NOT NULL,
    key          TEXT NOT NULL,
    alert_id     TEXT NOT NULL,
    PRIMARY KEY (run_date, connector, merchant_id, class, key)
);

CREATE TABLE settlements (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    currency     TEXT NOT NULL,
    net_minor    BIGINT NOT NULL,
    count        BIGINT NOT NULL CHECK (count > 0),
    run_date     TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX settlements_by_merchant ON settlements (merchant_id, id);

CREATE TABLE settlement_runs (
    run_date  TEXT PRIMARY KEY,
    ran_at    BIGINT NOT NULL
);

CREATE TABLE payouts (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL REFERENCES merchants (id),
    amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    bank               TEXT NOT NULL,
    account_number     TEXT NOT NULL,
    status             TEXT NOT NULL
        CHECK (status IN ('pending', 'in_transit', 'paid', 'failed')),
    automatic          BOOLEAN NOT NULL,
    bank_transfer_id   TEXT,
    failure_reason     TEXT,
    tries              BIGINT NOT NULL DEFAULT 0,
    -- While pending or in transit: when to send (again).
    next_try_at        BIGINT,
    created_at         BIGINT NOT NULL,
    decided_at         BIGINT
);
CREATE INDEX payouts_by_merchant ON payouts (merchant_id, id);
CREATE INDEX payouts_due ON payouts (next_try_at) WHERE next_try_at IS NOT NULL;

-- Which replica runs each background worker, until when (leases with expiry).
CREATE TABLE worker_leases (
    worker       TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,
    expires_at   BIGINT NOT NULL
);
